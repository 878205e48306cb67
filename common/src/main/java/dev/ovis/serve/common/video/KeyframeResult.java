package dev.ovis.serve.common.video;

import java.util.List;

/**
 * The frames chosen from a video.
 *
 * @param embedder   which frame embedder scored them (e.g. "siglip", "descriptor")
 * @param candidates how many candidate frames were sampled
 * @param duration   video duration in seconds
 * @param frames     selected frames in temporal order
 */
public record KeyframeResult(String embedder, int candidates, double duration, List<Keyframe> frames) {

    public KeyframeResult {
        frames = List.copyOf(frames);
    }
}
