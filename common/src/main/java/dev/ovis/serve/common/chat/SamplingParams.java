package dev.ovis.serve.common.chat;

import java.util.List;

/**
 * How to decode. Defaults reproduce the Ovis2 reference: greedy, no repetition penalty, stop on
 * 151645 / 151643, at most 1024 new tokens.
 *
 * @param maxTokens         most new tokens (1..32768)
 * @param temperature       0 = greedy; otherwise sampling temperature (0..2)
 * @param topP              nucleus mass in (0, 1]
 * @param topK              0 = off, else keep the k most likely tokens
 * @param repetitionPenalty 1 = off (HF semantics: divide positive logits, multiply negative ones)
 * @param seed              RNG seed for sampling; the same seed gives the same text, {@code null} = random
 * @param stop              stop strings (the text is cut before them), at most 4
 * @param logprobs          whether to return the log-probability of each chosen token
 * @param reasoning         append the Ovis2 chain-of-thought instruction to the last user turn
 */
public record SamplingParams(int maxTokens, double temperature, double topP, int topK, double repetitionPenalty,
                             Long seed, List<String> stop, boolean logprobs, boolean reasoning) {

    /** The reference's generation settings. */
    public static final SamplingParams REFERENCE = new SamplingParams(1024, 0, 1, 0, 1, null, List.of(), false, false);

    public SamplingParams {
        if (maxTokens < 1 || maxTokens > 32768) {
            throw new IllegalArgumentException("maxTokens must be in 1..32768: " + maxTokens);
        }
        if (temperature < 0 || temperature > 2 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be in 0..2: " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1]: " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0: " + topK);
        }
        if (!(repetitionPenalty > 0) || repetitionPenalty > 10) {
            throw new IllegalArgumentException("repetitionPenalty must be in (0, 10]: " + repetitionPenalty);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (stop.size() > 4) {
            throw new IllegalArgumentException("at most 4 stop strings");
        }
    }

    /** Whether decoding is greedy (argmax). */
    public boolean greedy() {
        return temperature == 0;
    }
}
