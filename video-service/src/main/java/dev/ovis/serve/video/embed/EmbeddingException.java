package dev.ovis.serve.video.embed;

/** An embedder failed (its model could not run). */
public class EmbeddingException extends Exception {

    public EmbeddingException(String message, Throwable cause) {
        super(message, cause);
    }
}
