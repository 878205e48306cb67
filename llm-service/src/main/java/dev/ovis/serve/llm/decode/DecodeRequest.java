package dev.ovis.serve.llm.decode;

import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.job.Priority;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * One sequence to decode: its merged prompt embeddings and how to sample.
 *
 * @param id         a name for logs (the job id)
 * @param embeddings {@code positions × hidden} floats (direct, native order), position 0
 * @param positions  prompt positions (visual ones included)
 * @param sampling   decoding settings
 * @param priority   interactive requests are admitted before batch ones ({@link Scheduler})
 */
public record DecodeRequest(String id, FloatBuffer embeddings, int positions, SamplingParams sampling, Priority priority) {

    /** An interactive request. */
    public DecodeRequest(String id, FloatBuffer embeddings, int positions, SamplingParams sampling) {
        this(id, embeddings, positions, sampling, Priority.INTERACTIVE);
    }

    public DecodeRequest {
        priority = priority == null ? Priority.INTERACTIVE : priority;
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(embeddings, "embeddings");
        Objects.requireNonNull(sampling, "sampling");
        if (positions < 1) {
            throw new IllegalArgumentException("a prompt needs at least one position");
        }
    }
}
