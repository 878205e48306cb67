package dev.ovis.serve.llm.stage;

import dev.ovis.serve.llm.decode.OnnxDecoder;
import dev.ovis.serve.llm.prompt.EmbeddingRows;
import dev.ovis.serve.llm.prompt.PromptTokenizer;
import java.util.List;
import java.util.Set;

/**
 * The loaded model as the llm stage sees it: its id and limits from {@code model.json}, the
 * tokenizer, the text and indicator embedding rows and the decoder. Owns the native parts.
 *
 * @param id            the model id clients name
 * @param contextLength the model's context in positions
 * @param stopIds       ids that end generation
 * @param capabilities  what the model accepts (for {@code GET /internal/models})
 */
record LlmModel(String id, int contextLength, Set<Integer> stopIds, List<String> capabilities, PromptTokenizer tokenizer,
                EmbeddingRows textRows, EmbeddingRows indicatorRows, OnnxDecoder decoder) {
}
