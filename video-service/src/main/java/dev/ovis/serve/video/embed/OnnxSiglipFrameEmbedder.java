package dev.ovis.serve.video.embed;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ovis.serve.model.OnnxRuntimeOptions;
import dev.ovis.serve.model.OnnxSessionFactory;
import dev.ovis.serve.video.decode.RgbFrame;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Frames and question through a SigLIP-style image/text encoder pair exported to ONNX, as the
 * reference MDP3 does with {@code google/siglip-so400m-patch14-384}: frames resized to S×S
 * (bilinear here; the Hugging Face processor uses bicubic) and normalised, image embeddings
 * L2-normalised; the question tokenised, padded to the text context, and when longer cut into
 * equal chunks taken alternately from head and tail (the reference's scheme), each embedded, the
 * query being the mean of the chunk embeddings (not re-normalised, as in the reference).
 * Runs on CPU, its sessions opened through model-runtime's {@link OnnxSessionFactory}; owns them and the
 * tokenizer.
 */
public final class OnnxSiglipFrameEmbedder implements FrameEmbedder, AutoCloseable {

    private final SiglipProperties properties;
    private final OrtEnvironment environment;
    private final OrtSession image;
    private final OrtSession text;
    private final HuggingFaceTokenizer tokenizer;
    private volatile boolean closed;

    public OnnxSiglipFrameEmbedder(SiglipProperties properties) throws IOException, OrtException {
        this.properties = properties;
        for (Path path : new Path[] {properties.imageModel(), properties.textModel(), properties.tokenizer()}) {
            if (path == null || !Files.isReadable(path)) {
                throw new IOException("ovis.video.siglip needs image-model, text-model and tokenizer; missing or unreadable: "
                        + path);
            }
        }
        // model-runtime's factory is the one way into ONNX Runtime (it closes the session options itself); on the
        // CPU, as the embedder has always run. A session opened before a later part fails is closed again rather
        // than left holding native memory.
        OnnxSessionFactory sessions = new OnnxSessionFactory(new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.CPU, 0, 0));
        this.environment = sessions.environment();
        OrtSession imageSession = null;
        OrtSession textSession = null;
        try {
            imageSession = sessions.open(properties.imageModel());
            textSession = sessions.open(properties.textModel());
            this.tokenizer = HuggingFaceTokenizer.newInstance(properties.tokenizer(),
                    Map.of("truncation", "false", "padding", "false"));
        } catch (IOException | OrtException | RuntimeException e) {
            for (OrtSession session : new OrtSession[] {textSession, imageSession}) {
                if (session != null) {
                    try {
                        session.close();
                    } catch (OrtException closing) {
                        e.addSuppressed(closing);
                    }
                }
            }
            throw e;
        }
        this.image = imageSession;
        this.text = textSession;
    }

    @Override
    public String name() {
        return "siglip";
    }

    @Override
    public double[][] embedFrames(List<RgbFrame> frames) throws EmbeddingException {
        checkOpen();
        int size = properties.imageSize();
        List<double[]> out = new ArrayList<>(frames.size());
        for (int start = 0; start < frames.size(); start += properties.batchSize()) {
            List<RgbFrame> batch = frames.subList(start, Math.min(frames.size(), start + properties.batchSize()));
            FloatBuffer pixels = FloatBuffer.allocate(batch.size() * 3 * size * size);
            for (RgbFrame frame : batch) {
                pixels.put(pixels(frame, size));
            }
            pixels.flip();
            try (OnnxTensor input = OnnxTensor.createTensor(environment, pixels, new long[] {batch.size(), 3, size, size});
                 OrtSession.Result result = image.run(Map.of("pixel_values", input))) {
                float[][] embeds = (float[][]) result.get("image_embeds").orElseThrow().getValue();
                for (float[] row : embeds) {
                    out.add(unit(row));
                }
            } catch (OrtException e) {
                throw new EmbeddingException("image tower failed: " + e.getMessage(), e);
            }
        }
        return out.toArray(double[][]::new);
    }

    @Override
    public double[] embedQuery(String question) throws EmbeddingException {
        checkOpen();
        if (question == null || question.isBlank()) {
            return null;
        }
        long[][] chunks = chunks(tokenizer.encode(question, true, false).getIds(), properties.textLength(),
                properties.padTokenId());
        int stride = chunks[0].length;
        LongBuffer ids = LongBuffer.allocate(chunks.length * stride);
        for (long[] chunk : chunks) {
            ids.put(chunk);
        }
        ids.flip();
        try (OnnxTensor input = OnnxTensor.createTensor(environment, ids, new long[] {chunks.length, stride});
             OrtSession.Result result = text.run(Map.of("input_ids", input))) {
            float[][] embeds = (float[][]) result.get("text_embeds").orElseThrow().getValue();
            double[] mean = new double[embeds[0].length];
            for (float[] row : embeds) {
                for (int d = 0; d < row.length; d++) {
                    mean[d] += row[d] / (double) embeds.length;
                }
            }
            return mean;
        } catch (OrtException e) {
            throw new EmbeddingException("text tower failed: " + e.getMessage(), e);
        }
    }

    /**
     * Pads to {@code length}; a longer sequence of L ids becomes n = ⌈L/length⌉ chunks of
     * ⌈L/n⌉ ids taken alternately from the head and from the tail (heads in order, then tails in order).
     */
    static long[][] chunks(long[] ids, int length, long pad) {
        if (ids.length <= length) {
            long[] padded = Arrays.copyOf(ids, length);
            Arrays.fill(padded, ids.length, length, pad);
            return new long[][] {padded};
        }
        int n = (ids.length + length - 1) / length;
        int stride = (ids.length + n - 1) / n;
        List<long[]> heads = new ArrayList<>();
        List<long[]> tails = new ArrayList<>();
        int left = 0;
        int right = ids.length;
        while (left < right) {
            heads.add(Arrays.copyOfRange(ids, left, left + stride));
            left += stride;
            if (left < right) {
                tails.addFirst(Arrays.copyOfRange(ids, right - stride, right));
                right -= stride;
            }
        }
        heads.addAll(tails);
        return heads.toArray(long[][]::new);
    }

    private float[] pixels(RgbFrame frame, int size) {
        float[] out = new float[3 * size * size];
        float scale = 1f / (255f * properties.std());
        float shift = properties.mean() / properties.std();
        for (int y = 0; y < size; y++) {
            double sy = Math.max(0, Math.min(frame.height() - 1.0, (y + 0.5) * frame.height() / size - 0.5));
            int y0 = (int) sy;
            int y1 = Math.min(frame.height() - 1, y0 + 1);
            double fy = sy - y0;
            for (int x = 0; x < size; x++) {
                double sx = Math.max(0, Math.min(frame.width() - 1.0, (x + 0.5) * frame.width() / size - 0.5));
                int x0 = (int) sx;
                int x1 = Math.min(frame.width() - 1, x0 + 1);
                double fx = sx - x0;
                for (int c = 0; c < 3; c++) {
                    double top = frame.sample(x0, y0, c) * (1 - fx) + frame.sample(x1, y0, c) * fx;
                    double bottom = frame.sample(x0, y1, c) * (1 - fx) + frame.sample(x1, y1, c) * fx;
                    out[(c * size + y) * size + x] = (float) (top * (1 - fy) + bottom * fy) * scale - shift;
                }
            }
        }
        return out;
    }

    private static double[] unit(float[] row) {
        double norm = 0;
        for (float v : row) {
            norm += (double) v * v;
        }
        double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
        double[] out = new double[row.length];
        for (int i = 0; i < row.length; i++) {
            out[i] = row[i] * scale;
        }
        return out;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the SigLIP embedder is closed");
        }
    }

    /** Closes the tokenizer and both sessions, each even when another fails; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            tokenizer.close();
        } finally {
            for (OrtSession session : new OrtSession[] {image, text}) {
                try {
                    session.close();
                } catch (OrtException ignored) {
                    // already closed or during shutdown: nothing left to release
                }
            }
        }
    }
}
