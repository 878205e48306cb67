package dev.ovis.serve.video.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The reference's head/tail chunking of long questions for a 64-token text tower. */
class QueryChunkTests {

    @Test
    void shortQuestionsArePaddedToTheContext() {
        long[][] chunks = OnnxSiglipFrameEmbedder.chunks(new long[] {5, 6, 7}, 8, 1);

        assertThat(chunks).hasDimensions(1, 8);
        assertThat(chunks[0]).containsExactly(5, 6, 7, 1, 1, 1, 1, 1);
    }

    @Test
    void longQuestionsAreCutIntoEqualChunksFromHeadAndTail() {
        long[] ids = LongStream.range(0, 150).toArray();

        long[][] chunks = OnnxSiglipFrameEmbedder.chunks(ids, 64, 1);

        // n = 3 chunks of 50: head [0,50), tail [100,150), then head [50,100); heads first, tails after
        assertThat(chunks).hasDimensions(3, 50);
        assertThat(chunks[0][0]).isEqualTo(0);
        assertThat(chunks[1][0]).isEqualTo(50);
        assertThat(chunks[2][0]).isEqualTo(100);
    }

    @Test
    void overlappingTailWhenTheLengthDoesNotDivide() {
        long[] ids = LongStream.range(0, 101).toArray();

        long[][] chunks = OnnxSiglipFrameEmbedder.chunks(ids, 64, 1);

        assertThat(chunks).hasDimensions(2, 51);
        assertThat(chunks[0][0]).isEqualTo(0);
        assertThat(chunks[1][0]).isEqualTo(50);
        assertThat(chunks[1][50]).isEqualTo(100);
    }
}
