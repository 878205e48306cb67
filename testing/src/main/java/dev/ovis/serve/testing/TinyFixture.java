package dev.ovis.serve.testing;

import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.VisualEmbeddings;
import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.common.media.MediaRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The committed tiny random-weight Ovis2 model ({@code fixtures/tiny-ovis2}) and its PyTorch
 * reference outputs, for every module's tests. The static side reads files and the reference; an
 * instance additionally builds a reference prompt's conversation and serves the visual embeddings
 * of the images in it ({@link #visual}), which is what an llm test feeds its prompt builder.
 * Service objects (a decoder, a vision tokenizer) are built by the service's tests from {@link #DIR}:
 * this module cannot see service code.
 */
public final class TinyFixture {

    /** The model directory, absolute; tests run with their module as working directory. */
    public static final Path DIR = Path.of("..", "fixtures", "tiny-ovis2").toAbsolutePath().normalize();
    public static final Path REFERENCE = DIR.resolve("reference");
    public static final String MODEL_ID = "ovis2-random-tiny-seed0-fp32";
    public static final int HIDDEN = 64;

    private final JsonNode reference;
    private final Map<String, FloatBuffer> visualByKey = new ConcurrentHashMap<>();

    public TinyFixture() throws IOException {
        this.reference = reference();
    }

    /** {@code reference/reference.json}: the prompts with their tokens, logits and greedy outputs. */
    public static JsonNode reference() throws IOException {
        return JsonMapper.builder().build().readTree(Files.readAllBytes(REFERENCE.resolve("reference.json")));
    }

    /** A reference prompt by name (text_only, one_image, three_images). */
    public static JsonNode prompt(JsonNode reference, String name) {
        for (JsonNode p : reference.get("prompts")) {
            if (p.get("name").asString().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no reference prompt " + name);
    }

    /** A reference prompt by name (text_only, one_image, three_images). */
    public JsonNode prompt(String name) {
        return prompt(reference, name);
    }

    /** The reference's greedy tokens of a prompt. */
    public List<Integer> referenceTokens(String name) {
        return Arrays.stream(ints(prompt(name).get("greedy").get("tokens"))).boxed().toList();
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    public static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    /** A little-endian float32 file (the fixture's {@code .bin} files) as an array. */
    public static float[] readFloats(Path file) throws IOException {
        FloatBuffer floats = littleEndian(file);
        float[] out = new float[floats.remaining()];
        floats.get(out);
        return out;
    }

    /** A file of {@link #REFERENCE} read with {@link #readFloats}. */
    public static float[] referenceFloats(String file) throws IOException {
        return readFloats(REFERENCE.resolve(file));
    }

    /**
     * A little-endian float32 file copied into a direct buffer in native order, position 0: the
     * form ONNX Runtime and the llm's embedding rows take without another copy.
     */
    public static FloatBuffer directFloats(Path file) throws IOException {
        FloatBuffer floats = littleEndian(file);
        FloatBuffer copy = ByteBuffer.allocateDirect(floats.remaining() * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        copy.put(floats).flip();
        return copy;
    }

    private static FloatBuffer littleEndian(Path file) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }

    /** Largest absolute difference of two arrays of one length. */
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

    /**
     * The conversation of a reference prompt: its user text split on {@code <image>} into text
     * parts and image parts carrying the reference's visual embeddings (per image, in order),
     * which {@link #visual} then serves.
     */
    public List<ChatMessage> conversation(String name) throws IOException {
        JsonNode p = prompt(name);
        String[] pieces = p.get("user_text").asString().split("<image>", -1);
        List<ContentPart> parts = new ArrayList<>();
        JsonNode images = p.get("images");
        int cropOffset = 0;
        FloatBuffer all = p.has("visual_embeds")
                ? directFloats(REFERENCE.resolve(p.get("visual_embeds").get("file").asString()))
                : null;
        for (int i = 0; i < pieces.length; i++) {
            // after an image the formatter puts the newline itself
            String text = i > 0 ? pieces[i].replaceFirst("^\n", "") : pieces[i];
            if (!text.isEmpty()) {
                parts.add(ContentPart.text(text));
            }
            if (i + 1 < pieces.length) {
                JsonNode image = images.get(i);
                ImageLayout layout = new ImageLayout(image.get("grid").get(0).asInt(), image.get("grid").get(1).asInt());
                int floats = layout.crops() * ImageLayout.TOKENS_PER_CROP * HIDDEN;
                String key = name + "/" + i;
                visualByKey.put(key, all.slice(cropOffset, floats));
                cropOffset += floats;
                MediaRef ref = new MediaRef("test", key, "application/octet-stream", "0".repeat(64), floats * 4L);
                parts.add(ContentPart.image(new MediaRef("test", "img" + i, "image/png", "1".repeat(64), 1), null)
                        .withVisual(new VisualEmbeddings(ref, MODEL_ID, layout, HIDDEN, "float32")));
            }
        }
        return List.of(new ChatMessage(Role.USER, parts));
    }

    /**
     * The reference visual embeddings of an image of a {@link #conversation} built by this
     * instance (a fresh view, position 0); pass {@code fixture::visual} where the llm reads rows.
     */
    public FloatBuffer visual(VisualEmbeddings visual) {
        FloatBuffer rows = visualByKey.get(visual.tensor().key());
        if (rows == null) {
            throw new IllegalArgumentException("no conversation of this fixture holds " + visual.tensor().key());
        }
        return rows.duplicate();
    }
}
