package dev.ovis.serve.model;

/**
 * The execution provider sessions run on, and why it was chosen.
 *
 * @param kind   CUDA or CPU
 * @param reason one sentence for the log and the health endpoint
 */
public record ExecutionProvider(Kind kind, String reason) {

    /** Providers this library uses. */
    public enum Kind { CUDA, CPU }

    public boolean cuda() {
        return kind == Kind.CUDA;
    }
}
