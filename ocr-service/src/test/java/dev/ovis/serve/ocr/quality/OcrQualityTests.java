package dev.ovis.serve.ocr.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.ocr.OcrLine;
import dev.ovis.serve.common.ocr.OcrResult;
import dev.ovis.serve.ocr.engine.OcrEngineFactory;
import dev.ovis.serve.ocr.engine.OcrProperties;
import dev.ovis.serve.ocr.image.ExifJpeg;
import dev.ovis.serve.ocr.image.ImageDecoder;
import dev.ovis.serve.ocr.model.ModelLoader;
import dev.ovis.serve.ocr.page.OcrException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both engines on rendered text (Noto fonts from Debian): each quick sample must be read exactly
 * or nearly (CER bound per case), with the language given. The CER per language is printed; the
 * full set and the peer comparison are in {@link OcrBenchmark}.
 */
class OcrQualityTests {

    private static OcrEngineFactory factory;
    private static final Map<String, Double> CER = new LinkedHashMap<>();

    @BeforeAll
    static void engines() throws Exception {
        factory = new OcrEngineFactory(new OcrProperties(null, null, null, null), new ModelLoader());
    }

    @AfterAll
    static void report() {
        CER.forEach((id, cer) -> System.out.printf("OCR quality %-16s CER %.3f%n", id, cer));
        factory.close();
    }

    static Stream<Sample> samples() {
        return Sample.quick().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void readsRenderedTextNearlyExactly(Sample sample) throws OcrException {
        OcrResult result = factory.engine().read(sample.page().render(), List.of(sample.language()), null);

        double cer = Scoring.cer(sample.page().text(), result.text(), sample.language());
        CER.put(sample.id(), cer);
        double bound = sample.id().contains("photo") ? 0.10 : 0.05;
        assertThat(cer).as("CER of %s: '%s'", sample.id(), result.text()).isLessThanOrEqualTo(bound);
        String engine = sample.language().equals("en") || sample.language().equals("zh") ? "paddle" : "tesseract";
        assertThat(result.blocks()).flatExtracting(b -> b.lines()).extracting(OcrLine::engine).containsOnly(engine);
        assertThat(result.blocks()).flatExtracting(b -> b.lines()).extracting(OcrLine::language)
                .containsOnly(sample.language());
    }

    @Test
    void keepsTheSpacesBetweenWords() throws OcrException {
        Sample sign = Sample.quick().getFirst();

        OcrResult result = factory.engine().read(sign.page().render(), List.of("en"), null);

        assertThat(result.text()).isEqualTo("KEEP THIS DOOR CLOSED AT ALL TIMES");
    }

    @Test
    void aPhonePhotoStoredSidewaysIsReadUprightThroughTheStagesDecoder() throws Exception {
        // given: the sign photographed with the phone held upright, stored turned 90° counter-clockwise with
        // EXIF orientation 6, as phone cameras write JPEGs
        var sign = Sample.quick().getFirst().page().render();
        byte[] jpeg = ExifJpeg.of(sign.rotate90CounterClockwise(), 6);

        // when: the stage's path, decoder then engine
        var image = new ImageDecoder(40_000_000).decode(jpeg);
        OcrResult result = factory.engine().read(image, List.of("en"), null);

        // then
        assertThat(image.width()).isEqualTo(sign.width());
        assertThat(result.text()).isEqualTo("KEEP THIS DOOR CLOSED AT ALL TIMES");
    }

    @Test
    void aMultiLineDocumentComesBackInReadingOrderWithBoxesInOriginalPixels() throws OcrException {
        var page = SyntheticPage.of("Noto Serif", 24, "First line of the page", "Second line follows", "Third and last");
        var image = page.render();

        OcrResult result = factory.engine().read(image, List.of("en"), null);

        assertThat(result.text()).isEqualTo("First line of the page\nSecond line follows\nThird and last");
        assertThat(result.width()).isEqualTo(image.width());
        assertThat(result.blocks()).flatExtracting(b -> b.lines()).allSatisfy(line -> assertThat(line.box())
                .allSatisfy(p -> assertThat(p.x()).isBetween(0.0, (double) image.width())));
    }

    @Test
    void withoutLanguagesDetectsTheScriptOfAPageAndUsesTesseract() throws OcrException {
        var page = SyntheticPage.of("Noto Serif", 26, "Москва является столицей России.",
                "Поезд отправляется в десять часов.");

        OcrResult result = factory.engine().read(page.render(), List.of(), null);

        assertThat(Scoring.cer(page.text(), result.text(), "ru")).isLessThanOrEqualTo(0.05);
        assertThat(result.blocks()).flatExtracting(b -> b.lines()).extracting(OcrLine::engine).containsOnly("tesseract");
    }

    @Test
    void aMissingLanguagePackNamesTheDebianPackage() {
        var page = SyntheticPage.of("Noto Sans", 24, "Habari ya dunia");

        assertThatThrownBy(() -> factory.engine().read(page.render(), List.of("sw"), null))
                .isInstanceOfSatisfying(OcrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.LANGUAGE_UNAVAILABLE);
                    assertThat(e.getMessage()).contains("tesseract-ocr-swa");
                });
    }
}
