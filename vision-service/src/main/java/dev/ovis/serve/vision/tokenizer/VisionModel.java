package dev.ovis.serve.vision.tokenizer;

import dev.ovis.serve.model.ModelDirectory;
import dev.ovis.serve.model.ModelManifest;
import java.nio.file.Path;

/**
 * The vision side's view of an exported model directory: the model's identity (for cache keys and
 * {@code VisualEmbeddings.modelId}), the LLM hidden size, the vision graph and its dtypes.
 *
 * @param id         the model's name ({@code model.json} name): what {@code VisualEmbeddings.modelId}
 *                   carries and the llm stage checks
 * @param cacheId    the name plus the first 12 hex digits of the vision graph's sha256: new weights
 *                   under an old name never hit old cache entries
 * @param hidden     LLM hidden size (embedding row width)
 * @param graph      path of vision.onnx
 * @param ioFloat16  the graph takes and returns float16 (else float32)
 * @param storeDtype the dtype embeddings are stored in: {@code float16} when the model is fp16
 */
public record VisionModel(String id, String cacheId, int hidden, Path graph, boolean ioFloat16, String storeDtype) {

    public static VisionModel of(ModelDirectory dir) {
        ModelManifest m = dir.manifest();
        ModelManifest.Graph graph = m.visionGraph();
        String sha = m.files().stream().filter(f -> f.path().equals(graph.file())).map(ModelManifest.FileEntry::sha256)
                .findFirst().orElse("");
        String precision = graph.precision() != null ? graph.precision() : m.precision();
        return new VisionModel(m.name(), m.name() + (sha.length() >= 12 ? "@" + sha.substring(0, 12) : ""), m.llm().hiddenSize(),
                dir.visionGraph(), "float16".equals(graph.ioDtype()), "fp16".equals(precision) ? "float16" : "float32");
    }
}
