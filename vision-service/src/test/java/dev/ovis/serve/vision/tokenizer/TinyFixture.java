package dev.ovis.serve.vision.tokenizer;

import ai.onnxruntime.OrtException;
import dev.ovis.serve.model.ModelDirectory;
import dev.ovis.serve.model.OnnxRuntimeOptions;
import dev.ovis.serve.model.OnnxSessionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The committed tiny random-weight model and its PyTorch references ({@code fixtures/tiny-ovis2}). */
public final class TinyFixture {

    public static final Path DIR = Path.of("..", "fixtures", "tiny-ovis2");
    public static final Path REFERENCE = DIR.resolve("reference");

    private TinyFixture() {
    }

    public static VisionModel model() {
        try {
            return VisionModel.of(ModelDirectory.open(DIR));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The vision graph on the CPU with {@code threads} ORT threads. */
    public static OnnxVisualTokenizer tokenizer(int threads) throws OrtException {
        return new OnnxVisualTokenizer(model(), new OnnxSessionFactory(new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.CPU, 0, threads)));
    }

    public static JsonNode reference() throws IOException {
        return JsonMapper.builder().build().readTree(REFERENCE.resolve("reference.json").toFile());
    }

    public static float[] floats(String file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(REFERENCE.resolve(file))).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    /** Largest absolute difference. */
    public static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
