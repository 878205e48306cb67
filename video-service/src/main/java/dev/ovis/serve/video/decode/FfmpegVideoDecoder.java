package dev.ovis.serve.video.decode;

import dev.ovis.serve.common.error.ErrorCode;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns video bytes into candidate frames with the bundled FFmpeg, as child processes: probe, check
 * the limits, then one decode that samples {@code n} frames uniformly by time (the first frame at or after each slice's mid-point)
 * and writes them as raw RGB to a pipe, scaled so the longer side fits {@code frameSize}. The video
 * reaches FFmpeg only as its standard input ({@link FfmpegInput}: a temporary file, deleted after the
 * video). Probe and decode share one deadline; a decode still running then is killed.
 */
public final class FfmpegVideoDecoder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FfmpegVideoDecoder.class);

    private final FfmpegPrograms programs;
    private final VideoProperties properties;
    private final FfprobeProber prober;

    public FfmpegVideoDecoder(FfmpegPrograms programs, VideoProperties properties) {
        this.programs = programs;
        this.properties = properties;
        this.prober = new FfprobeProber(programs);
        // a video in flight lives at most about max-wall-time; twice that is surely a dead process's
        FfmpegInput.deleteStale(Path.of(System.getProperty("java.io.tmpdir")), properties.maxWallTime().multipliedBy(2));
    }

    /** Probes and decodes; refuses what is beyond the limits with a precise reason. */
    public DecodedVideo decode(byte[] media, DecodeListener listener) throws VideoException, InterruptedException {
        if (media.length == 0) {
            throw new VideoException(ErrorCode.CORRUPT_MEDIA, "the video is empty (0 bytes)");
        }
        if (media.length > properties.maxInputSize().toBytes()) {
            throw new VideoException(ErrorCode.MEDIA_TOO_LARGE, "the video has " + media.length
                    + " bytes; the limit is " + properties.maxInputSize().toBytes());
        }
        Instant deadline = Instant.now().plus(properties.maxWallTime());
        try (FfmpegInput input = FfmpegInput.of(media)) {
            VideoInfo info = prober.probe(input, deadline);
            checkLimits(info);
            SamplingPlan plan = SamplingPlan.of(info, properties);
            listener.probed(info, plan.count());
            List<RgbFrame> frames = sample(input, info, plan, deadline, listener);
            return new DecodedVideo(info, frames);
        } catch (IOException e) {
            throw new VideoException(ErrorCode.INTERNAL, "cannot hand the video to ffmpeg: " + e.getMessage());
        }
    }

    private void checkLimits(VideoInfo info) throws VideoException {
        if (info.duration() > properties.maxDuration().toMillis() / 1000.0) {
            throw new VideoException(ErrorCode.VIDEO_LIMIT_EXCEEDED, String.format(Locale.ROOT,
                    "the video lasts %.1f s; the limit is %d s", info.duration(), properties.maxDuration().toSeconds()));
        }
        long pixels = (long) info.width() * info.height();
        if (pixels > properties.maxPixels()) {
            throw new VideoException(ErrorCode.VIDEO_LIMIT_EXCEEDED, String.format(Locale.ROOT,
                    "frames of %dx%d (%d pixels) exceed the limit of %d pixels",
                    info.width(), info.height(), pixels, properties.maxPixels()));
        }
    }

    private List<RgbFrame> sample(FfmpegInput input, VideoInfo info, SamplingPlan plan, Instant deadline,
                                  DecodeListener listener) throws VideoException, InterruptedException {
        List<String> command = List.of(programs.ffmpeg().toString(), "-nostdin", "-hide_banner",
                "-loglevel", "error", "-protocol_whitelist", FfmpegInput.PROTOCOLS,
                "-format_whitelist", FfmpegInput.FORMATS, "-i", FfmpegInput.URL,
                "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", plan.filter(), "-fps_mode", "passthrough",
                "-frames:v", Integer.toString(plan.count()), "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1");
        List<RgbFrame> frames = new ArrayList<>(plan.count());
        int frameBytes = plan.width() * plan.height() * 3;
        try (ChildProcess child = ChildProcess.start(command, deadline, input.file())) {
            DataInputStream in = new DataInputStream(child.stdout());
            while (frames.size() < plan.count()) {
                if (listener.cancelled()) {
                    throw new VideoException(ErrorCode.CANCELLED, "cancelled while decoding");
                }
                byte[] rgb = new byte[frameBytes];
                try {
                    in.readFully(rgb);
                } catch (EOFException end) {
                    break;
                } catch (IOException e) {
                    // the JDK may close the pipe under a reader when the watchdog kills the child
                    if (child.killedAtDeadline()) {
                        break;
                    }
                    throw e;
                }
                frames.add(new RgbFrame(plan.timestamp(frames.size()), plan.width(), plan.height(), rgb));
                listener.decoded(frames.size(), plan.count());
            }
            child.close();
            int status = child.waitFor();
            if (child.killedAtDeadline()) {
                throw new VideoException(ErrorCode.VIDEO_LIMIT_EXCEEDED, "decoding did not finish within "
                        + properties.maxWallTime().toSeconds() + " s (decoded " + frames.size() + " of "
                        + plan.count() + " frames)");
            }
            if (frames.isEmpty()) {
                String why = child.errorText();
                throw new VideoException(ErrorCode.CORRUPT_MEDIA, "no frame could be decoded"
                        + (why.isEmpty() ? " (ffmpeg exit status " + status + ")" : ": " + why));
            }
            if (frames.size() < plan.count()) {
                log.info("video ended early: {} of {} candidate frames ({})", frames.size(), plan.count(),
                        child.errorText());
            }
        } catch (IOException e) {
            throw new VideoException(ErrorCode.CORRUPT_MEDIA, "decoding failed: " + e.getMessage());
        }
        return frames;
    }

    @Override
    public void close() {
        // nothing held between videos: each one's input file is deleted when it is done
    }
}
