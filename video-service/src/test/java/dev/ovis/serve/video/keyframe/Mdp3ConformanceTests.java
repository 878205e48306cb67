package dev.ovis.serve.video.keyframe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** MDP3 returns exactly the reference plugin's selections on the shared synthetic cases. */
class Mdp3ConformanceTests {

    static List<Mdp3Golden> cases() {
        return Mdp3Golden.load();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void selectsExactlyTheReferenceIndices(Mdp3Golden golden) {
        int[] selected = new Mdp3KeyframeSelector()
                .select(golden.frames(), golden.query(), golden.count(), golden.segmentSize());

        assertThat(selected).containsExactly(golden.selected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void naiveLogDetImplementationAgrees(Mdp3Golden golden) {
        int[] selected = new NaiveMdp3Selector()
                .select(golden.frames(), golden.query(), golden.count(), golden.segmentSize());

        assertThat(selected).containsExactly(golden.selected());
    }
}
