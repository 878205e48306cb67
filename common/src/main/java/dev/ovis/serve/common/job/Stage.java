package dev.ovis.serve.common.job;

/** A processing stage, i.e. a worker service with its own request topic and consumer group. */
public enum Stage {
    /** Decodes video and picks key frames. */
    VIDEO,
    /** Ovis2 image preprocessing and visual embeddings. */
    VISION,
    /** Prompt building and decoding. */
    LLM,
    /** Text detection and recognition. */
    OCR
}
