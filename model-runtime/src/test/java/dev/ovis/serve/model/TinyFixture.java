package dev.ovis.serve.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The committed tiny model ({@code fixtures/tiny-ovis2}) and its PyTorch references, for tests. */
final class TinyFixture {

    static final Path DIR = Path.of("..", "fixtures", "tiny-ovis2").toAbsolutePath().normalize();
    static final Path REFERENCE = DIR.resolve("reference");

    private TinyFixture() {
    }

    static JsonNode reference() throws IOException {
        return JsonMapper.builder().build().readTree(Files.readAllBytes(REFERENCE.resolve("reference.json")));
    }

    static JsonNode prompt(JsonNode reference, String name) {
        for (JsonNode p : reference.get("prompts")) {
            if (p.get("name").asString().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no reference prompt " + name);
    }

    static float[] readFloats(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(out);
        return out;
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
