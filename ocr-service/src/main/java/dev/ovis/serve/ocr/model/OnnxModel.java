package dev.ovis.serve.ocr.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ovis.serve.model.OnnxSessionFactory;

/**
 * Owns one ONNX Runtime session, opened through model-runtime's {@link OnnxSessionFactory} (the suite's one
 * place for session options, threads and provider). Sessions are thread-safe for {@code run};
 * {@link #close()} is idempotent and use after close throws.
 */
public final class OnnxModel implements AutoCloseable {

    private final OrtSession session;
    private final OrtEnvironment environment;
    private final String name;
    private volatile boolean closed;

    private OnnxModel(OrtSession session, OrtEnvironment environment, String name) {
        this.session = session;
        this.environment = environment;
        this.name = name;
    }

    /**
     * Opens {@code model} with {@code sessions}. One OCR request runs the models one after another, so the
     * intra-op threads of one session (the factory's) are what a request can use.
     */
    public static OnnxModel open(OnnxSessionFactory sessions, byte[] model, String name) throws OrtException {
        return new OnnxModel(sessions.open(model), sessions.environment(), name);
    }

    public OrtSession session() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        return session;
    }

    public OrtEnvironment environment() {
        return environment;
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
