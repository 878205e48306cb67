package dev.ovis.serve.model;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * The vision and decoder sessions of one model directory, owned together, for model-runtime's own golden
 * tests and benchmarks (a test helper: the services own their sessions — vision's tokenizer, llm's model,
 * OCR's and video's models — and open them through {@link OnnxSessionFactory}, the one API).
 * {@link #close()} is idempotent; use after close throws.
 */
public final class OnnxSessions implements AutoCloseable {

    private final ExecutionProvider provider;
    private OrtSession vision;
    private OrtSession decoder;

    private OnnxSessions(ExecutionProvider provider, OrtSession vision, OrtSession decoder) {
        this.provider = provider;
        this.vision = vision;
        this.decoder = decoder;
    }

    /** Opens {@code vision.onnx} and {@code decoder.onnx} of {@code dir}. */
    public static OnnxSessions open(ModelDirectory dir, OnnxRuntimeOptions options) throws OrtException {
        OnnxSessionFactory factory = new OnnxSessionFactory(options);
        OrtSession vision = factory.open(dir.visionGraph());
        try {
            return new OnnxSessions(factory.provider(), vision, factory.open(dir.decoderGraph()));
        } catch (OrtException | RuntimeException e) {
            vision.close();
            throw e;
        }
    }

    public ExecutionProvider provider() {
        return provider;
    }

    /** {@code pixel_values} float32 [N,3,448,448] → {@code visual_embeds} float32 [N,256,H]. */
    public synchronized OrtSession vision() {
        if (vision == null) {
            throw new IllegalStateException("sessions are closed");
        }
        return vision;
    }

    /** Embeddings, mask, positions and past KV → last-position logits and present KV. */
    public synchronized OrtSession decoder() {
        if (decoder == null) {
            throw new IllegalStateException("sessions are closed");
        }
        return decoder;
    }

    @Override
    public synchronized void close() throws OrtException {
        try {
            if (vision != null) {
                vision.close();
            }
        } finally {
            vision = null;
            if (decoder != null) {
                decoder.close();
            }
            decoder = null;
        }
    }
}
