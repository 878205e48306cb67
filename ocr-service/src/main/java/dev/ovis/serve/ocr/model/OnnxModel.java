package dev.ovis.serve.ocr.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * Owns one ONNX Runtime session. Sessions are thread-safe for {@code run}; {@link #close()} is
 * idempotent and use after close throws.
 */
public final class OnnxModel implements AutoCloseable {

    private final OrtSession session;
    private final String name;
    private volatile boolean closed;

    private OnnxModel(OrtSession session, String name) {
        this.session = session;
        this.name = name;
    }

    /**
     * Opens a session on the CPU with {@code threads} intra-op threads (0 = ORT's default). One
     * OCR request runs the models one after another, so the threads of one session are what a
     * request can use.
     */
    public static OnnxModel open(byte[] model, String name, int threads) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
            }
            options.setInterOpNumThreads(1);
            return new OnnxModel(env.createSession(model, options), name);
        }
    }

    public OrtSession session() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        return session;
    }

    public OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    public String inputName() {
        return session().getInputNames().iterator().next();
    }

    public String name() {
        return name;
    }

    @Override
    public synchronized void close() throws OrtException {
        if (!closed) {
            closed = true;
            session.close();
        }
    }
}
