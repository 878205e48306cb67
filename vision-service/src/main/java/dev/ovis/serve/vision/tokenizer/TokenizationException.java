package dev.ovis.serve.vision.tokenizer;

/**
 * The vision model failed to run (ONNX Runtime error) or the tokenizer is shutting down: not the
 * input's fault. {@link #shutdown()} tells the second case, which another instance can retry.
 */
public class TokenizationException extends Exception {

    private final boolean shutdown;

    public TokenizationException(String message, Throwable cause) {
        super(message, cause);
        this.shutdown = false;
    }

    public TokenizationException(String message) {
        this(message, false);
    }

    private TokenizationException(String message, boolean shutdown) {
        super(message);
        this.shutdown = shutdown;
    }

    /** The tokenizer was closed before or while this request ran. */
    public static TokenizationException shutDown() {
        return new TokenizationException("the visual tokenizer is shut down", true);
    }

    public boolean shutdown() {
        return shutdown;
    }
}
