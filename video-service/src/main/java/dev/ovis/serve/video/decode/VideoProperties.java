package dev.ovis.serve.video.decode;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How the video stage samples candidate frames and what it refuses ({@code ovis.video.*}).
 *
 * @param candidateRate  candidate frames per second of video, sampled uniformly by time
 * @param maxCandidates  at most this many candidates per video (the rate is lowered for long videos)
 * @param frameSize      candidates are scaled down so that their longer side is at most this (never up)
 * @param maxDuration    longer videos are refused
 * @param maxPixels      videos with more pixels per frame are refused (default 3840×2160)
 * @param maxWallTime    probing plus decoding of one video may take this long; a decode past it is killed
 * @param maxInputSize   larger media objects are refused before FFmpeg sees them
 * @param defaultFrames  key frames selected when a request does not say
 * @param maxFrames      key frames a request may ask for
 * @param segmentSize    MDP3 segment size; {@code <= 0} = one segment (the Ovis plugin's default)
 */
@ConfigurationProperties("ovis.video")
@Validated
public record VideoProperties(
        @DefaultValue("2.0") @Positive double candidateRate,
        @DefaultValue("256") @Min(1) @Max(4096) int maxCandidates,
        @DefaultValue("448") @Min(16) @Max(4096) int frameSize,
        @DefaultValue("30m") @NotNull Duration maxDuration,
        @DefaultValue("8294400") @Min(1) long maxPixels,
        @DefaultValue("2m") @NotNull Duration maxWallTime,
        @DefaultValue("512MB") @NotNull DataSize maxInputSize,
        @DefaultValue("16") @Min(1) @Max(64) int defaultFrames,
        @DefaultValue("32") @Min(1) @Max(64) int maxFrames,
        @DefaultValue("-1") int segmentSize) {

    /** The defaults above, for code that runs without Spring (tests, benchmarks). */
    public static VideoProperties defaults() {
        return new VideoProperties(2.0, 256, 448, Duration.ofMinutes(30), 3840L * 2160, Duration.ofMinutes(2),
                DataSize.ofMegabytes(512), 16, 32, -1);
    }

    /** A copy with other sampling settings. */
    public VideoProperties withSampling(double rate, int candidates, int size) {
        return new VideoProperties(rate, candidates, size, maxDuration, maxPixels, maxWallTime, maxInputSize,
                defaultFrames, maxFrames, segmentSize);
    }

    /** A copy with other refusal limits. */
    public VideoProperties withLimits(Duration duration, long pixels, Duration wallTime) {
        return new VideoProperties(candidateRate, maxCandidates, frameSize, duration, pixels, wallTime, maxInputSize,
                defaultFrames, maxFrames, segmentSize);
    }
}
