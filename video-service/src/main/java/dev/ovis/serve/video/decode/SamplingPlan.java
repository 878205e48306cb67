package dev.ovis.serve.video.decode;

import java.util.Locale;

/**
 * Which frames to take and at what size: {@code count} frames at the mid-points of equal time
 * slices ({@code t_k = (k + ½)·D / count}, like the Ovis2 card's sampler), at the candidate rate
 * but never more than the cap nor more than the stream's frames; scaled down (never up) so that
 * the longer side fits the frame size.
 */
record SamplingPlan(int count, double duration, int width, int height) {

    static SamplingPlan of(VideoInfo info, VideoProperties properties) {
        long wanted = Math.max(1, Math.round(info.duration() * properties.candidateRate()));
        long count = Math.min(wanted, properties.maxCandidates());
        if (info.frameCount() > 0) {
            count = Math.min(count, info.frameCount());
        }
        double scale = Math.min(1.0, properties.frameSize() / (double) Math.max(info.width(), info.height()));
        int width = Math.max(1, (int) Math.round(info.width() * scale));
        int height = Math.max(1, (int) Math.round(info.height() * scale));
        return new SamplingPlan((int) count, info.duration(), width, height);
    }

    double timestamp(int index) {
        return (index + 0.5) * duration / count;
    }

    /**
     * The FFmpeg filter chain: rebase time to 0, keep the first frame at or after each slice's
     * mid-point ({@code selected_n} counts the frames kept so far), scale. Run with
     * {@code -fps_mode passthrough} so that the muxer neither duplicates nor drops frames.
     */
    String filter() {
        return String.format(Locale.ROOT, "setpts=PTS-STARTPTS,select='gte(t,(selected_n+0.5)*%.9f)',"
                + "scale=%d:%d:flags=area", duration / count, width, height);
    }
}
