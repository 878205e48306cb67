package dev.ovis.serve.common.video;

import dev.ovis.serve.common.OvisLimits;
import dev.ovis.serve.common.media.MediaRef;
import java.util.Objects;

/**
 * A key-frame selection job's work.
 *
 * @param media       the video
 * @param question    the question steering relevance (may be empty)
 * @param frames      how many frames to select, or {@code null} for the service default (16)
 * @param segmentSize MDP3 segment size, or {@code null} for one segment
 */
public record KeyframeTask(MediaRef media, String question, Integer frames, Integer segmentSize) {

    public KeyframeTask {
        Objects.requireNonNull(media, "media");
        question = question == null ? "" : question;
        OvisLimits.requireFrames(frames);
    }
}
