package dev.ovis.serve.common.chat;

/** Why decoding ended (OpenAI's names in lower case on the wire). */
public enum FinishReason {
    /** A stop id or stop string. */
    STOP,
    /** max tokens or the context was reached. */
    LENGTH,
    /** The job was cancelled. */
    CANCELLED
}
