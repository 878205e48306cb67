package dev.ovis.serve.video.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FfmpegVideoDecoderTests {

    @TempDir
    static Path temp;

    static TestVideos videos;
    static FfmpegVideoDecoder decoder;

    @BeforeAll
    static void setUp() {
        videos = new TestVideos(temp);
        decoder = new FfmpegVideoDecoder(TestVideos.programs(), VideoProperties.defaults());
    }

    @AfterAll
    static void tearDown() {
        decoder.close();
    }

    @Test
    void samplesMp4WithTheIndexAtTheEndUniformlyByTime() throws Exception {
        byte[] mp4 = videos.testPattern("pattern.mp4", 320, 240, 4, 25, "-c:v", "libopenh264");

        DecodedVideo video = decoder.decode(mp4, DecodeListener.NONE);

        assertThat(video.info().codec()).isEqualTo("h264");
        assertThat(video.info().width()).isEqualTo(320);
        assertThat(video.info().height()).isEqualTo(240);
        assertThat(video.info().duration()).isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.05));
        assertThat(video.frames()).hasSize(8);
        assertThat(video.frames()).extracting(RgbFrame::timestamp)
                .containsExactly(0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75);
        assertThat(video.frames().getFirst().width()).isEqualTo(320);
    }

    @Test
    void sceneCutsLandInTheirTimeSlices() throws Exception {
        byte[] webm = videos.scenes("scenes.webm", 1.0, List.of("red", "green", "blue"),
                "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8");

        DecodedVideo video = decoder.decode(webm, DecodeListener.NONE);

        assertThat(video.info().codec()).isEqualTo("vp9");
        assertThat(video.frames()).hasSize(6);
        assertThat(video.frames()).extracting(FfmpegVideoDecoderTests::dominant)
                .containsExactly(0, 0, 1, 1, 2, 2);
    }

    @Test
    void decodesOddSizesMjpegAviMkvAndAnimatedGif() throws Exception {
        DecodedVideo odd = decoder.decode(videos.testPattern("odd.mkv", 17, 31, 1, 10, "-c:v", "ffv1"),
                DecodeListener.NONE);
        DecodedVideo avi = decoder.decode(videos.testPattern("mjpeg.avi", 160, 120, 2, 10, "-c:v", "mjpeg"),
                DecodeListener.NONE);
        DecodedVideo gif = decoder.decode(videos.testPattern("anim.gif", 64, 48, 2, 5), DecodeListener.NONE);

        assertThat(odd.frames()).hasSize(2).allMatch(f -> f.width() == 17 && f.height() == 31);
        assertThat(odd.info().container()).isEqualTo("matroska,webm");
        assertThat(avi.info().codec()).isEqualTo("mjpeg");
        assertThat(avi.frames()).hasSize(4);
        assertThat(gif.info().container()).isEqualTo("gif");
        assertThat(gif.frames()).hasSize(4);
    }

    @Test
    void scalesLargeFramesDownAndCapsTheCandidateCount() throws Exception {
        byte[] mp4 = videos.testPattern("wide.mp4", 1280, 720, 3, 10, "-c:v", "libopenh264");
        try (FfmpegVideoDecoder capped = new FfmpegVideoDecoder(TestVideos.programs(),
                VideoProperties.defaults().withSampling(10.0, 5, 256))) {

            DecodedVideo video = capped.decode(mp4, DecodeListener.NONE);

            assertThat(video.frames()).hasSize(5).allMatch(f -> f.width() == 256 && f.height() == 144);
        }
    }

    @Test
    void rotationMetadataTurnsTheFrames() throws Exception {
        videos.testPattern("landscape.mp4", 320, 240, 1, 10, "-c:v", "libopenh264");
        byte[] portrait = videos.rotated("portrait.mp4", "landscape.mp4", 90);

        DecodedVideo video = decoder.decode(portrait, DecodeListener.NONE);

        assertThat(video.info().width()).isEqualTo(240);
        assertThat(video.info().height()).isEqualTo(320);
        assertThat(video.frames()).isNotEmpty().allMatch(f -> f.width() == 240 && f.height() == 320);
    }

    @Test
    void reportsProgressAndStopsWhenCancelled() throws Exception {
        byte[] avi = videos.testPattern("progress.avi", 64, 48, 3, 10, "-c:v", "mjpeg");
        int[] seen = new int[2];
        DecodeListener listener = new DecodeListener() {
            @Override
            public void probed(VideoInfo info, int candidates) {
                seen[0] = candidates;
            }

            @Override
            public void decoded(int decoded, int candidates) {
                seen[1] = decoded;
            }

            @Override
            public boolean cancelled() {
                return seen[1] >= 2;
            }
        };

        assertThatThrownBy(() -> decoder.decode(avi, listener))
                .isInstanceOf(VideoException.class)
                .extracting(e -> ((VideoException) e).code()).isEqualTo(ErrorCode.CANCELLED);
        assertThat(seen).containsExactly(6, 2);
    }

    @Test
    void truncatedMp4IsCorruptButATruncatedMkvKeepsItsFirstFrames() throws Exception {
        byte[] mp4 = videos.testPattern("cut.mp4", 160, 120, 2, 10, "-c:v", "libopenh264");
        byte[] mkv = videos.testPattern("cut.mkv", 160, 120, 4, 10, "-c:v", "mjpeg");

        assertRefused(Arrays.copyOf(mp4, mp4.length / 2), ErrorCode.CORRUPT_MEDIA, "not a readable video");
        DecodedVideo partial = decoder.decode(Arrays.copyOf(mkv, mkv.length / 2), DecodeListener.NONE);
        assertThat(partial.frames()).hasSizeBetween(1, 7);
    }

    @Test
    void refusesEmptyNonVideoAndAudioOnlyFiles() throws Exception {
        assertRefused(new byte[0], ErrorCode.CORRUPT_MEDIA, "empty");
        assertRefused("just some text, not a video\n".repeat(50).getBytes(StandardCharsets.UTF_8),
                ErrorCode.CORRUPT_MEDIA, "not a readable video");
        assertRefused(videos.audioOnly("tone.mkv"), ErrorCode.UNSUPPORTED_MEDIA_TYPE, "no video stream");
    }

    @Test
    void refusesVideosBeyondTheLimitsWithThePreciseReason() throws Exception {
        byte[] avi = videos.testPattern("limits.avi", 320, 240, 3, 5, "-c:v", "mjpeg");
        VideoProperties strict = VideoProperties.defaults()
                .withLimits(Duration.ofSeconds(2), 100_000, Duration.ofMinutes(1));
        VideoProperties smallFrames = VideoProperties.defaults()
                .withLimits(Duration.ofMinutes(1), 320 * 200, Duration.ofMinutes(1));
        VideoProperties instant = VideoProperties.defaults()
                .withLimits(Duration.ofMinutes(1), 100_000, Duration.ofMillis(1));

        assertRefused(strict, avi, "the video lasts 3.0 s; the limit is 2 s");
        assertRefused(smallFrames, avi, "frames of 320x240 (76800 pixels) exceed the limit of 64000 pixels");
        assertRefused(instant, avi, "did not finish");
    }

    private static void assertRefused(byte[] media, ErrorCode code, String detail) {
        assertThatThrownBy(() -> decoder.decode(media, DecodeListener.NONE))
                .isInstanceOf(VideoException.class)
                .hasMessageContaining(detail)
                .extracting(e -> ((VideoException) e).code()).isEqualTo(code);
    }

    private static void assertRefused(VideoProperties properties, byte[] media, String detail) {
        try (FfmpegVideoDecoder limited = new FfmpegVideoDecoder(TestVideos.programs(), properties)) {
            assertThatThrownBy(() -> limited.decode(media, DecodeListener.NONE))
                    .isInstanceOf(VideoException.class)
                    .hasMessageContaining(detail)
                    .extracting(e -> ((VideoException) e).code()).isEqualTo(ErrorCode.VIDEO_LIMIT_EXCEEDED);
        }
    }

    /** 0 = red, 1 = green, 2 = blue: the strongest channel at the frame's centre. */
    private static int dominant(RgbFrame frame) {
        int x = frame.width() / 2;
        int y = frame.height() / 2;
        int best = 0;
        for (int c = 1; c < 3; c++) {
            if (frame.sample(x, y, c) > frame.sample(x, y, best)) {
                best = c;
            }
        }
        return best;
    }
}
