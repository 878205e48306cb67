package dev.ovis.serve.ocr.tesseract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ovis.serve.common.ocr.Point;
import java.util.List;
import org.junit.jupiter.api.Test;

class TsvParserTests {

    private static final String TSV = """
            level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
            1\t1\t0\t0\t0\t0\t0\t0\t600\t200\t-1\t
            4\t1\t1\t1\t1\t0\t10\t20\t300\t30\t-1\t
            5\t1\t1\t1\t1\t1\t10\t20\t100\t30\t96.5\tПривет,
            5\t1\t1\t1\t1\t2\t120\t20\t190\t30\t91.5\tмир!
            4\t1\t1\t1\t2\t0\t10\t60\t200\t30\t-1\t
            5\t1\t1\t1\t2\t1\t10\t60\t200\t30\t-1\t \t
            """;

    @Test
    void wordsBecomeLinesWithTheLineBoxAndMeanConfidence() {
        List<TsvParser.TsvLine> lines = TsvParser.parse(TSV, false);

        assertThat(lines).singleElement().satisfies(line -> {
            assertThat(line.text()).isEqualTo("Привет, мир!");
            assertThat(line.confidence()).isCloseTo(0.94, within(1e-9));
            assertThat(line.box()).containsExactly(new Point(10, 20), new Point(310, 20), new Point(310, 50), new Point(10, 50));
        });
    }

    @Test
    void spacelessScriptsJoinWordsDirectly() {
        assertThat(TsvParser.parse(TSV, true).getFirst().text()).isEqualTo("Привет,мир!");
    }

    @Test
    void languagePackagesAreNamedTheDebianWay() {
        assertThat(TesseractLanguages.debianPackage(TesseractLanguages.tesseractCode("zh"))).isEqualTo("tesseract-ocr-chi-sim");
        assertThat(TesseractLanguages.tesseractCode("ja")).isEqualTo("jpn");
        assertThat(TesseractLanguages.forScript("Cyrillic")).isEqualTo("ru");
    }
}
