package dev.ovis.serve.common.video;

import dev.ovis.serve.common.media.MediaRef;

/**
 * One selected frame.
 *
 * @param index     index among the sampled candidates
 * @param timestamp time in the video, seconds
 * @param image     the frame as a PNG in the object store
 */
public record Keyframe(int index, double timestamp, MediaRef image) {
}
