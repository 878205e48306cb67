package dev.ovis.serve.video.decode;

import java.util.List;

/**
 * The candidate frames of a video.
 *
 * @param info   what probing found
 * @param frames candidates in temporal order (fewer than planned when the file ends early)
 */
public record DecodedVideo(VideoInfo info, List<RgbFrame> frames) {

    public DecodedVideo {
        frames = List.copyOf(frames);
    }
}
