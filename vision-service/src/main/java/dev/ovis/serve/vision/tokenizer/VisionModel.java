package dev.ovis.serve.vision.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the vision side needs from an exported model directory's {@code model.json}: the model's
 * identity (for cache keys and {@code VisualEmbeddings.modelId}), the LLM hidden size, the vision
 * graph and its dtypes.
 * TODO(model-runtime): replace by ModelDirectory/ModelManifest from model-runtime once it lands.
 *
 * @param id         model name plus the first 12 hex digits of vision.onnx's sha256
 * @param hidden     LLM hidden size (embedding row width)
 * @param graph      path of vision.onnx
 * @param ioFloat16  the graph takes and returns float16 (else float32)
 * @param storeDtype the dtype embeddings are stored in: {@code float16} when the model is fp16
 */
public record VisionModel(String id, int hidden, Path graph, boolean ioFloat16, String storeDtype) {

    public static VisionModel read(Path dir) throws IOException {
        Path manifest = dir.resolve("model.json");
        if (!Files.isRegularFile(manifest)) {
            throw new IOException("no model.json in " + dir.toAbsolutePath());
        }
        JsonNode m = JsonMapper.builder().build().readTree(manifest.toFile());
        JsonNode graph = m.path("vision_graph");
        String file = graph.path("file").asString("vision.onnx");
        String sha = "";
        for (JsonNode f : m.path("files")) {
            if (file.equals(f.path("path").asString())) {
                sha = f.path("sha256").asString("");
            }
        }
        int hidden = m.path("llm").path("hidden_size").asInt(0);
        if (hidden <= 0) {
            throw new IOException(manifest + ": llm.hidden_size missing");
        }
        Path onnx = dir.resolve(file);
        if (!Files.isRegularFile(onnx)) {
            throw new IOException(manifest + " names " + file + ", which is not in " + dir.toAbsolutePath());
        }
        boolean fp16 = "fp16".equals(graph.path("precision").asString(m.path("precision").asString("fp32")));
        String id = m.path("name").asString("model") + (sha.length() >= 12 ? "@" + sha.substring(0, 12) : "");
        return new VisionModel(id, hidden, onnx, "float16".equals(graph.path("io_dtype").asString("float32")),
                fp16 ? "float16" : "float32");
    }
}
