package dev.ovis.serve.video.keyframe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Mdp3KeyframeSelectorTests {

    private final Mdp3KeyframeSelector selector = new Mdp3KeyframeSelector();

    @Test
    void keepsEveryFrameWhenThereAreNoMoreThanAsked() {
        double[][] frames = randomUnit(5, 8, 1);

        assertThat(selector.select(frames, null, 5, -1)).containsExactly(0, 1, 2, 3, 4);
        assertThat(selector.select(frames, null, 16, -1)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void shortLastSegmentIsClampedToTheCandidatesThatExist() {
        // 70 candidates in segments of 32: the last segment has 6 frames (the reference overruns it)
        double[][] frames = randomUnit(70, 16, 2);

        int[] selected = selector.select(frames, randomUnit(1, 16, 3)[0], 12, 32);

        assertThat(selected).hasSize(12).isSorted().doesNotHaveDuplicates();
        assertThat(java.util.Arrays.stream(selected)).allMatch(i -> i >= 0 && i < 70);
        assertThat(selected).isEqualTo(new NaiveMdp3Selector().select(frames, randomUnit(1, 16, 3)[0], 12, 32));
    }

    @Test
    void diversityWinsUnderConstantRelevance() {
        // three shots of near-identical frames: a selection of 3 takes one frame per shot
        double[][] shots = randomUnit(3, 16, 4);
        double[][] frames = new double[30][];
        Random noise = new Random(5);
        for (int i = 0; i < 30; i++) {
            frames[i] = shots[i / 10].clone();
            frames[i][0] += noise.nextGaussian() * 1e-3;
        }

        int[] selected = selector.select(frames, null, 3, -1);

        assertThat(java.util.Arrays.stream(selected).map(i -> i / 10).toArray()).containsExactly(0, 1, 2);
    }

    @Test
    void stillVideoSpreadsThePicksInTime() {
        double[][] frames = new double[40][];
        for (int i = 0; i < 40; i++) {
            frames[i] = new double[] {0.6, 0.8};
        }

        int[] selected = selector.select(frames, null, 4, -1);

        assertThat(selected).hasSize(4).isSorted().doesNotHaveDuplicates();
        assertThat(selected[3] - selected[0]).isGreaterThan(30);
    }

    @Test
    void stillVideoWithSegmentsStillReturnsTheRequestedCount() {
        double[][] frames = new double[64][];
        for (int i = 0; i < 64; i++) {
            frames[i] = new double[] {1, 0, 0};
        }

        assertThat(selector.select(frames, new double[] {0, 1, 0}, 8, 16)).hasSize(8).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void relevanceSteersTheChoice() {
        double[][] frames = randomUnit(40, 8, 6);
        double[] query = frames[17].clone();

        assertThat(selector.select(frames, query, 1, -1)).containsExactly(17);
    }

    static double[][] randomUnit(int n, int d, long seed) {
        Random random = new Random(seed);
        double[][] out = new double[n][d];
        for (double[] v : out) {
            double norm = 0;
            for (int i = 0; i < d; i++) {
                v[i] = random.nextGaussian();
                norm += v[i] * v[i];
            }
            for (int i = 0; i < d; i++) {
                v[i] /= Math.sqrt(norm);
            }
        }
        return out;
    }
}
