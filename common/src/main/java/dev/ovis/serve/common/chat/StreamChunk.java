package dev.ovis.serve.common.chat;

import dev.ovis.serve.common.job.Failure;
import java.util.List;

/**
 * A piece of streamed output on a gateway instance's stream topic. Chunks of one job carry
 * increasing {@code seq} numbers (from 0) so a gateway can drop a redelivered chunk. The last chunk
 * has {@code last = true} and carries the finish reason and usage, or a failure.
 *
 * @param jobId        the job
 * @param seq          0, 1, 2 … per job
 * @param text         new text since the previous chunk (always whole UTF-8 characters), may be empty
 * @param logprobs     for the tokens in this chunk, when asked for
 * @param last         whether this is the final chunk
 * @param finishReason set on the last chunk of a successful job
 * @param usage        set on the last chunk of a successful job
 * @param failure      set on the last chunk of a failed job
 */
public record StreamChunk(String jobId, long seq, String text, List<TokenLogprob> logprobs, boolean last,
                          FinishReason finishReason, Usage usage, Failure failure) {

    public StreamChunk {
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("jobId must not be blank");
        }
        if (seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0");
        }
        text = text == null ? "" : text;
        logprobs = logprobs == null ? List.of() : List.copyOf(logprobs);
        if (last && finishReason == null && failure == null) {
            throw new IllegalArgumentException("the last chunk needs a finish reason or a failure");
        }
    }
}
