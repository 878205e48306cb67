package dev.ovis.serve.video.decode;

/**
 * What probing found out about a video.
 *
 * @param container  FFmpeg's format name (e.g. {@code mov,mp4,m4a,3gp,3g2,mj2}, {@code gif})
 * @param codec      the video stream's codec (e.g. {@code h264}, {@code vp9})
 * @param duration   seconds
 * @param width      displayed width in pixels (after rotation metadata)
 * @param height     displayed height in pixels
 * @param frameRate  average frames per second, 0 when unknown
 * @param frameCount frames in the stream as the container states it, 0 when unknown
 */
public record VideoInfo(String container, String codec, double duration, int width, int height,
                        double frameRate, long frameCount) {
}
