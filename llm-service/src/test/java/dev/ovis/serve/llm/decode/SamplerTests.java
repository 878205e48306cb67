package dev.ovis.serve.llm.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ovis.serve.common.chat.SamplingParams;
import java.nio.FloatBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTests {

    private static SamplingParams params(double temperature, double topP, int topK, double penalty, Long seed, boolean logprobs) {
        return new SamplingParams(16, temperature, topP, topK, penalty, seed, List.of(), logprobs, false);
    }

    private static FloatBuffer logits(float... values) {
        return FloatBuffer.wrap(values);
    }

    @Test
    void greedyTakesTheArgmaxAndReportsItsLogprob() {
        Sampler sampler = new Sampler(params(0, 1, 0, 1, null, true), 1);
        int token = sampler.sample(logits(0f, 2f, 1f), 3, new int[0], 0);
        assertThat(token).isEqualTo(1);
        double expected = 2 - Math.log(Math.exp(0) + Math.exp(2) + Math.exp(1));
        assertThat(sampler.lastLogprob()).isCloseTo(expected, within(1e-6));
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        // given token 1 (logit 2) already generated, penalty 4 → 0.5 < token 2's 1.0
        Sampler sampler = new Sampler(params(0, 1, 0, 4, null, false), 1);
        assertThat(sampler.sample(logits(0f, 2f, 1f), 3, new int[]{1}, 1)).isEqualTo(2);
        // a negative generated logit gets more negative: -1 * 4 = -4 < -3
        Sampler other = new Sampler(params(0, 1, 0, 4, null, false), 1);
        assertThat(other.sample(logits(-3f, -1f, -5f), 3, new int[]{1, 1}, 2)).isEqualTo(0);
    }

    @Test
    void sameSeedGivesTheSameDrawsAndTopKLimitsTheChoice() {
        float[] values = {3f, 2.9f, 2.8f, 2.7f, -10f};
        Sampler a = new Sampler(params(1, 1, 2, 1, 7L, false), 7);
        Sampler b = new Sampler(params(1, 1, 2, 1, 7L, false), 7);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int x = a.sample(logits(values), 5, new int[0], 0);
            assertThat(b.sample(logits(values), 5, new int[0], 0)).isEqualTo(x);
            seen.add(x);
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void topPKeepsTheSmallestSetReachingTheMass() {
        // probabilities ≈ 0.64, 0.24, 0.09, 0.03: top-p 0.7 keeps the first two only
        float[] values = {2f, 1f, 0f, -1f};
        Sampler sampler = new Sampler(params(1, 0.7, 0, 1, 3L, false), 3);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(sampler.sample(logits(values), 4, new int[0], 0));
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void lowTemperatureConcentratesOnTheBest() {
        Sampler sampler = new Sampler(params(0.01, 1, 0, 1, 5L, true), 5);
        for (int i = 0; i < 50; i++) {
            assertThat(sampler.sample(logits(1f, 1.5f, 0f), 3, new int[0], 0)).isEqualTo(1);
        }
        assertThat(sampler.lastLogprob()).isCloseTo(0, within(1e-6));
    }
}
