package dev.ovis.serve.common.chat;

import java.util.List;
import java.util.Objects;

/**
 * The completion of a chat job.
 *
 * @param model        the model that answered
 * @param text         the generated text (special tokens skipped, stop strings cut)
 * @param finishReason why it ended
 * @param usage        prompt positions (visual ones included) and generated tokens
 * @param logprobs     per chosen token when asked for, else empty
 */
public record ChatResult(String model, String text, FinishReason finishReason, Usage usage, List<TokenLogprob> logprobs) {

    public ChatResult {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
        logprobs = logprobs == null ? List.of() : List.copyOf(logprobs);
    }
}
