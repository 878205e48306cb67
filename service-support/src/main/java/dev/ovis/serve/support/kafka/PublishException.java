package dev.ovis.serve.support.kafka;

/**
 * A message could not be published (no ack within the timeout, broker refused it). {@link
 * #retriable()} tells a broker hiccup (try again later) from a message that can never be written
 * (too large, not serializable).
 */
public class PublishException extends RuntimeException {

    private final boolean retriable;

    public PublishException(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    /** Whether publishing the same message again may succeed. */
    public boolean retriable() {
        return retriable;
    }
}
