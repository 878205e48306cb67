package dev.ovis.serve.vision.tokenizer;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.model.OnnxSessionFactory;
import dev.ovis.serve.vision.preprocess.PreprocessedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code vision.onnx} ({@code pixel_values [N,3,448,448] → visual_embeds [N,256,H]}) on one
 * batch at a time, unbatched and synchronous: {@link BatchingVisualTokenizer} feeds it. Owns its
 * ONNX Runtime session (CUDA when the provider is present, CPU otherwise) and closes it once.
 * Each calling thread reuses its own direct input/output buffers, so ORT reads and writes them in
 * place (no copy on the way in, the output written straight into our buffer).
 */
public final class OnnxVisualTokenizer implements VisualTokenizer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OnnxVisualTokenizer.class);
    static final int TOKENS = ImageLayout.TOKENS_PER_CROP;

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final VisionModel model;
    private final String inputName;
    private final String outputName;
    private final ThreadLocal<Buffers> buffers = new ThreadLocal<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Opens the model's vision graph through {@code sessions} (CUDA when present, else CPU). */
    public OnnxVisualTokenizer(VisionModel model, OnnxSessionFactory sessions) throws OrtException {
        this.model = model;
        this.session = sessions.open(model.graph());
        log.info("vision model {} on {} (hidden {}, io {})", model.id(), sessions.provider().kind(), model.hidden(),
                model.ioFloat16() ? "float16" : "float32");
        this.inputName = session.getInputNames().contains("pixel_values") ? "pixel_values" : session.getInputNames().iterator().next();
        this.outputName = session.getOutputNames().contains("visual_embeds") ? "visual_embeds" : session.getOutputNames().iterator().next();
    }

    public VisionModel model() {
        return model;
    }

    @Override
    public int hidden() {
        return model.hidden();
    }

    @Override
    public float[] tokenize(float[] pixelValues, int crops) throws TokenizationException {
        Buffers b = buffers(crops);
        b.input.clear();
        b.input.put(pixelValues, 0, crops * PreprocessedImage.CROP_FLOATS);
        float[] out = new float[crops * TOKENS * model.hidden()];
        run(b, crops);
        b.output.get(0, out);
        return out;
    }

    /**
     * Runs the model on the first {@code crops} crops of the calling thread's input buffer (see {@link #inputBuffer})
     * and leaves the embeddings in its output buffer ({@link #outputBuffer}).
     */
    void run(Buffers b, int crops) throws TokenizationException {
        if (closed.get()) {
            throw TokenizationException.shutDown();
        }
        long[] inShape = {crops, 3, 448, 448};
        long[] outShape = {crops, TOKENS, model.hidden()};
        try {
            if (model.ioFloat16()) {
                runHalf(b, crops, inShape, outShape);
                return;
            }
            FloatBuffer in = b.input.duplicate().position(0).limit(crops * PreprocessedImage.CROP_FLOATS).slice();
            FloatBuffer out = b.output.duplicate().position(0).limit(crops * TOKENS * model.hidden()).slice();
            try (OnnxTensor input = OnnxTensor.createTensor(env, in, inShape);
                 OnnxTensor output = OnnxTensor.createTensor(env, out, outShape);
                 OrtSession.Result ignored = session.run(Map.of(inputName, input), Map.<String, OnnxValue>of(outputName, output))) {
                b.output.position(0);
            }
        } catch (OrtException e) {
            throw new TokenizationException("vision model failed on " + crops + " crops: " + e.getMessage(), e);
        }
    }

    private void runHalf(Buffers b, int crops, long[] inShape, long[] outShape) throws OrtException {
        int n = crops * PreprocessedImage.CROP_FLOATS;
        ShortBuffer half = ByteBuffer.allocateDirect(n * 2).order(ByteOrder.nativeOrder()).asShortBuffer();
        for (int i = 0; i < n; i++) {
            half.put(i, Float.floatToFloat16(b.input.get(i)));
        }
        try (OnnxTensor input = OnnxTensor.createTensor(env, half, inShape, OnnxJavaType.FLOAT16);
             OrtSession.Result result = session.run(Map.of(inputName, input))) {
            OnnxTensor output = (OnnxTensor) result.get(0);
            ShortBuffer values = output.getByteBuffer().order(ByteOrder.nativeOrder()).asShortBuffer();
            int m = crops * TOKENS * model.hidden();
            for (int i = 0; i < m; i++) {
                b.output.put(i, Float.float16ToFloat(values.get(i)));
            }
        }
    }

    /** The calling thread's buffers, grown to hold {@code crops} crops. */
    Buffers buffers(int crops) {
        Buffers b = buffers.get();
        if (b == null || b.crops < crops) {
            b = new Buffers(crops, model.hidden());
            buffers.set(b);
        }
        return b;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                session.close();
            } catch (OrtException e) {
                log.warn("closing the vision session failed", e);
            }
        }
    }

    /** Direct, native-order buffers that ORT reads and writes in place. */
    static final class Buffers {
        final int crops;
        final FloatBuffer input;
        final FloatBuffer output;

        Buffers(int crops, int hidden) {
            this.crops = crops;
            this.input = ByteBuffer.allocateDirect(crops * PreprocessedImage.CROP_FLOATS * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            this.output = ByteBuffer.allocateDirect(crops * TOKENS * hidden * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
    }
}
