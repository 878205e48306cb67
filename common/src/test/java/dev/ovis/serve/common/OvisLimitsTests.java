package dev.ovis.serve.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.video.KeyframeTask;
import org.junit.jupiter.api.Test;

/** Each Ovis limit has one check, and the records use it. */
class OvisLimitsTests {

    private static final MediaRef VIDEO = new MediaRef("b", "k.mp4", "video/mp4", "a".repeat(64), 10);

    @Test
    void framesAreOneToSixtyFourOrTheDefault() {
        assertThat(OvisLimits.requireFrames(null)).isNull();
        assertThat(OvisLimits.requireFrames(OvisLimits.MIN_FRAMES)).isEqualTo(1);
        assertThat(OvisLimits.requireFrames(OvisLimits.MAX_FRAMES)).isEqualTo(64);
        assertThatThrownBy(() -> OvisLimits.requireFrames(65)).hasMessage("frames must be in 1..64: 65");
        assertThatThrownBy(() -> OvisLimits.requireFrames(0)).hasMessage("frames must be in 1..64: 0");
    }

    @Test
    void maxPartitionIsOneToTwelveOrTheDefault() {
        assertThat(OvisLimits.requireMaxPartition(null)).isNull();
        assertThat(OvisLimits.requireMaxPartition(12)).isEqualTo(12);
        assertThatThrownBy(() -> OvisLimits.requireMaxPartition(13)).hasMessage("maxPartition must be in 1..12: 13");
    }

    @Test
    void theRecordsCheckWithTheseBounds() {
        assertThatThrownBy(() -> ContentPart.video(VIDEO, 65)).hasMessage("frames must be in 1..64: 65");
        assertThatThrownBy(() -> new KeyframeTask(VIDEO, "", 65, null)).hasMessage("frames must be in 1..64: 65");
        assertThatThrownBy(() -> ContentPart.image(VIDEO, 0)).hasMessage("maxPartition must be in 1..12: 0");
        assertThat(new KeyframeTask(VIDEO, null, 64, null).frames()).isEqualTo(64);
    }
}
