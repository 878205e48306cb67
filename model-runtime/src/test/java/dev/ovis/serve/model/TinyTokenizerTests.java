package dev.ovis.serve.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.testing.TinyFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The tiny fixture's tokenizer.json loads through the Hugging Face tokenizers binding (the path the real
 * Qwen2.5 tokenizer takes) and tokenises the reference prompts into the ids the references were built from.
 */
class TinyTokenizerTests {

    @Test
    void referencePromptIdsMatchTheHuggingFaceTokenizer() throws Exception {
        ModelDirectory dir = ModelDirectory.open(TinyFixture.DIR);
        var m = dir.manifest();
        JsonNode reference = TinyFixture.reference();
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(dir.tokenizerJson(),
                Map.of("addSpecialTokens", "false", "truncation", "false"))) {
            for (JsonNode prompt : reference.get("prompts")) {
                // given the prompt text, split on <image> as the reference formatter does
                String text = prompt.get("prompt_text").asString();
                List<Long> ids = new ArrayList<>();
                String[] chunks = text.split(java.util.regex.Pattern.quote(m.prompt().imageToken()), -1);
                for (int i = 0; i < chunks.length; i++) {
                    if (i > 0) {
                        ids.add((long) m.prompt().imageTokenId());
                    }
                    for (long id : tok.encode(chunks[i]).getIds()) {
                        ids.add(id);
                    }
                }
                // then
                List<Long> expected = new ArrayList<>();
                prompt.get("prompt_ids").forEach(n -> expected.add(n.asLong()));
                assertThat(ids).as(prompt.get("name").asString()).isEqualTo(expected);
            }
            assertThat(tok.encode("<|im_start|>user\n<|im_end|>").getIds())
                    .startsWith(m.specialIds().imStart()).endsWith(m.specialIds().imEnd());
        }
    }
}
