package dev.ovis.serve.llm.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTests {

    @Test
    void cutsBeforeAStopStringSplitOverPieces() {
        // given
        StopStrings stops = new StopStrings(List.of("END"));

        // when
        String out = stops.accept("the answer E") + stops.accept("N") + stops.accept("D and more");

        // then
        assertThat(out).isEqualTo("the answer ");
        assertThat(stops.stopped()).isTrue();
        assertThat(stops.accept("more")).isEmpty();
    }

    @Test
    void releasesHeldTextWhenItTurnsOutNotToBeAStop() {
        // given
        StopStrings stops = new StopStrings(List.of("END"));

        // when
        String first = stops.accept("an E");
        String second = stops.accept("nd");

        // then the "E" waits for the next piece, then goes out
        assertThat(first).isEqualTo("an ");
        assertThat(second).isEqualTo("End");
        assertThat(stops.flush()).isEmpty();
        assertThat(stops.stopped()).isFalse();
    }

    @Test
    void earliestOfSeveralStopsWinsAndFlushGivesTheTail() {
        // given
        StopStrings stops = new StopStrings(List.of("\n\n", "Q:"));

        // when
        String out = stops.accept("one Q: two\n\nthree");

        // then
        assertThat(out).isEqualTo("one ");

        StopStrings other = new StopStrings(List.of("Q:"));
        assertThat(other.accept("ends with Q")).isEqualTo("ends with ");
        assertThat(other.flush()).isEqualTo("Q");
    }

    @Test
    void withoutStopsEverythingPassesAtOnce() {
        StopStrings none = new StopStrings(List.of());
        assertThat(none.accept("abc")).isEqualTo("abc");
        assertThat(none.flush()).isEmpty();
    }
}
