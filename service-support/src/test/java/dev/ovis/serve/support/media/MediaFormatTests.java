package dev.ovis.serve.support.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one sniffer: the gateway's content types and the image decoder's formats come from it. */
class MediaFormatTests {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "ffd8ffe000104a464946, image/jpeg",
            "89504e470d0a1a0a0000000d49484452, image/png",
            "474946383961, image/gif",
            "474946383761, image/gif",
            "524946462400000057454250565038, image/webp",
            "524946462400000041564920, video/x-msvideo",
            "424d3600000000000000360000002800000010, image/bmp",
            "49492a0008000000, image/tiff",
            "4d4d002a00000008, image/tiff",
            "000000186674797069736f6d00000200, video/mp4",
            "0000001466747970717420200000000071742020, video/quicktime",
            "1a45dfa39f4286810142f7810142f2810442f381084282847765626d, video/webm",
            "1a45dfa3a34286810142f7810142f2810442f38108428288" + "6d6174726f736b61, video/x-matroska"})
    void recognisesSupportedMediaByItsMagicNumber(String hex, String expected) {
        assertThat(MediaFormat.sniff(HexFormat.of().parseHex(hex)).map(MediaFormat::contentType)).contains(expected);
    }

    @ParameterizedTest(name = "{0} is refused")
    @CsvSource({
            "25504446", // %PDF
            "504b0304", // zip
            "424d00", // "BM" without a bitmap header
            "0000001c667479706865696300000000", // HEIC still image
            "52494646240000005741564520", // RIFF WAVE audio
            "''"})
    void refusesEverythingElse(String hex) {
        assertThat(MediaFormat.sniff(HexFormat.of().parseHex(hex))).isEmpty();
    }

    @ParameterizedTest(name = "{0} is an image: {1}")
    @CsvSource({"JPEG, true", "PNG, true", "GIF, true", "BMP, true", "TIFF, true", "WEBP, true", "AVI, false",
            "QUICKTIME, false", "MP4, false", "WEBM, false", "MATROSKA, false"})
    void tellsTheImagesTheDecoderReadsFromTheVideos(MediaFormat format, boolean image) {
        assertThat(format.isImage()).isEqualTo(image);
        if (image) {
            assertThat(format.imageIoName()).isEqualTo(format.contentType().substring("image/".length()));
        }
    }

    @ParameterizedTest
    @CsvSource({"hello world", "<html><body>"})
    void refusesText(String text) {
        assertThat(MediaFormat.sniff(text.getBytes(StandardCharsets.US_ASCII))).isEmpty();
    }
}
