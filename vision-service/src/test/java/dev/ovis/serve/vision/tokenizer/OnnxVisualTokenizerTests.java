package dev.ovis.serve.vision.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.model.ModelDirectory;
import dev.ovis.serve.model.OnnxRuntimeOptions;
import dev.ovis.serve.model.OnnxSessionFactory;
import dev.ovis.serve.testing.TinyFixture;
import dev.ovis.serve.vision.image.ImageDecoder;
import dev.ovis.serve.vision.image.ImageProperties;
import dev.ovis.serve.vision.preprocess.ImagePreprocessor;
import dev.ovis.serve.vision.preprocess.PreprocessedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Golden-value tests of the visual tokenizer on the tiny fixture: the exporter's PyTorch references
 * for a synthetic pixel tensor and for real images (decoded and preprocessed here), within 1e-4;
 * batched runs give the same numbers as single runs.
 */
class OnnxVisualTokenizerTests {

    private static OnnxVisualTokenizer onnx;
    private static BatchingVisualTokenizer batching;

    @BeforeAll
    static void open() throws Exception {
        onnx = new OnnxVisualTokenizer(VisionModel.of(ModelDirectory.open(TinyFixture.DIR)),
                new OnnxSessionFactory(new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.CPU, 0, 2)));
        batching = new BatchingVisualTokenizer(onnx, new BatchProperties(4, Duration.ofMillis(20), 1, 2, 16));
    }

    @AfterAll
    static void close() {
        batching.close();
        onnx.close();
    }

    @Test
    void matchesTheReferenceOnTheSyntheticTensor() throws Exception {
        // given pixel[n][c][y][x] = (float)(2*sin(0.013*(x+1)*(c+1) + 0.021*y + 0.7*n))
        float[] px = new float[2 * PreprocessedImage.CROP_FLOATS];
        int i = 0;
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 448; y++) {
                    for (int x = 0; x < 448; x++) {
                        px[i++] = (float) (2 * Math.sin(0.013 * (x + 1) * (c + 1) + 0.021 * y + 0.7 * n));
                    }
                }
            }
        }
        // when
        float[] embeds = batching.tokenize(px, 2);
        // then
        assertThat(TinyFixture.maxDiff(embeds, TinyFixture.referenceFloats("vision_check.visual_embeds.f32.bin"))).isLessThan(1e-4);
    }

    @Test
    void matchesTheReferenceFromImageFilesThroughPreprocessing() throws Exception {
        JsonNode reference = TinyFixture.reference();
        ImageDecoder decoder = new ImageDecoder(ImageProperties.defaults());
        ImagePreprocessor preprocessor = new ImagePreprocessor();
        for (JsonNode prompt : reference.get("prompts")) {
            if (prompt.get("images").isEmpty()) {
                continue;
            }
            List<float[]> perImage = new ArrayList<>();
            for (JsonNode image : prompt.get("images")) {
                byte[] bytes = Files.readAllBytes(TinyFixture.REFERENCE.resolve(image.get("file").asString()));
                PreprocessedImage pre = preprocessor.preprocess(decoder.decode(bytes), image.get("max_partition").asInt());
                assertThat(List.of(pre.layout().rows(), pre.layout().cols()))
                        .isEqualTo(image.get("grid").valueStream().map(JsonNode::asInt).toList());
                assertThat(pre.layout().placeholders())
                        .isEqualTo(image.get("placeholders").valueStream().map(JsonNode::asInt).toList());
                assertThat(sha256(pre.pixelValues())).as("pixel_values of " + image.get("file").asString())
                        .isEqualTo(image.get("pixel_values").get("sha256").asString());
                perImage.add(batching.tokenize(pre.pixelValues(), pre.crops()));
            }
            float[] expected = TinyFixture.referenceFloats(prompt.get("visual_embeds").get("file").asString());
            assertThat(TinyFixture.maxDiff(concat(perImage), expected)).as(prompt.get("name").asString()).isLessThan(1e-4);
        }
    }

    @Test
    void concurrentRequestsShareBatchesAndGetTheirOwnResults() throws Exception {
        // given 6 requests of 1..3 crops of distinct content
        List<float[]> inputs = new ArrayList<>();
        for (int r = 0; r < 6; r++) {
            int crops = 1 + r % 3;
            float[] px = new float[crops * PreprocessedImage.CROP_FLOATS];
            for (int k = 0; k < px.length; k += 97) {
                px[k] = (float) Math.sin(k * 0.001 + r);
            }
            inputs.add(px);
        }
        List<float[]> alone = new ArrayList<>();
        for (float[] px : inputs) {
            alone.add(onnx.tokenize(px, px.length / PreprocessedImage.CROP_FLOATS));
        }
        long slicesBefore = batching.stats().slices();
        long batchesBefore = batching.stats().batches();
        // when they run at the same time through the batcher
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (float[] px : inputs) {
                futures.add(pool.submit(() -> batching.tokenize(px, px.length / PreprocessedImage.CROP_FLOATS)));
            }
            // then each gets exactly what it gets alone, and runs were shared
            for (int r = 0; r < inputs.size(); r++) {
                assertThat(TinyFixture.maxDiff(futures.get(r).get(), alone.get(r))).isLessThan(1e-5);
            }
        } finally {
            pool.shutdownNow();
        }
        long slices = batching.stats().slices() - slicesBefore;
        long batches = batching.stats().batches() - batchesBefore;
        assertThat(slices).isEqualTo(6);
        assertThat(batches).isLessThanOrEqualTo(slices);
    }

    @Test
    void splitsARequestLargerThanABatch() throws Exception {
        float[] px = new float[6 * PreprocessedImage.CROP_FLOATS];
        for (int k = 0; k < px.length; k += 31) {
            px[k] = (float) Math.cos(k * 0.0003);
        }
        assertThat(TinyFixture.maxDiff(batching.tokenize(px, 6), onnx.tokenize(px, 6))).isLessThan(1e-5);
    }

    private static float[] concat(List<float[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static String sha256(float[] px) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(px.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(px);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(buf.array()));
    }
}
