package dev.ovis.serve.vision.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.vision.image.RgbImage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The worked example of ovis2.md §12.1 and the grid table of §2.6. */
class ImagePreprocessorTests {

    private final ImagePreprocessor preprocessor = new ImagePreprocessor();

    @Test
    void workedExampleOf640By480() {
        // given a 640x480 image, every pixel the same colour
        byte[] px = new byte[640 * 480 * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) 200;
            px[i + 1] = 100;
            px[i + 2] = 50;
        }
        // when
        PreprocessedImage pre = preprocessor.preprocess(new RgbImage(640, 480, px), 9);
        // then: a 2x2 grid, the global view first, 5 crops, 1286 positions
        assertThat(pre.layout()).isEqualTo(new ImageLayout(2, 2));
        assertThat(GridPartition.boxes(640, 480, pre.layout())).containsExactly(
                new CropBox(0, 0, 320, 240), new CropBox(320, 0, 640, 240),
                new CropBox(0, 240, 320, 480), new CropBox(320, 240, 640, 480));
        assertThat(pre.crops()).isEqualTo(5);
        assertThat(pre.layout().placeholders()).containsExactly(-301, -300, -302, -300, -303, -300, -304, -300, -303, -300, -305);
        assertThat(pre.layout().positions()).isEqualTo(1286);
        assertThat(ImagePreprocessor.targetSize(640, 480)).containsExactly(448, 336);
        assertThat(ImagePreprocessor.targetSize(320, 240)).containsExactly(448, 336);
        // and each crop is 448x336 pasted at rows 56..391 of a zero canvas
        float red = ImagePreprocessor.normalised(0, 200);
        for (int crop = 0; crop < 5; crop++) {
            int base = crop * PreprocessedImage.CROP_FLOATS;
            assertThat(pre.pixelValues()[base + 55 * 448 + 10]).isZero();
            assertThat(pre.pixelValues()[base + 56 * 448 + 10]).isEqualTo(red);
            assertThat(pre.pixelValues()[base + 391 * 448 + 447]).isEqualTo(red);
            assertThat(pre.pixelValues()[base + 392 * 448 + 10]).isZero();
        }
    }

    @ParameterizedTest
    @CsvSource({
            "448, 448, 9, 1, 1, 259", "224, 224, 9, 1, 1, 259", "800, 600, 9, 2, 2, 1286", "1024, 768, 9, 2, 3, 1800",
            "1280, 720, 4, 2, 2, 1286", "1920, 1080, 9, 2, 4, 2314", "1920, 1080, 12, 3, 4, 3342",
            "1080, 1920, 9, 4, 2, 2314", "4000, 3000, 9, 3, 3, 2571", "2480, 3508, 12, 4, 3, 3342", "300, 1200, 9, 3, 1, 1029",
            "640, 480, 1, 1, 1, 259"})
    void choosesTheGridsOfTheSpecTable(int w, int h, int maxPartition, int rows, int cols, int positions) {
        ImageLayout layout = GridPartition.choose(w, h, maxPartition);
        assertThat(List.of(layout.rows(), layout.cols())).isEqualTo(List.of(rows, cols));
        assertThat(layout.positions()).isEqualTo(positions);
    }

    @Test
    void guardsExtremeAspectRatiosAgainstAZeroSide() {
        assertThat(ImagePreprocessor.targetSize(1, 1000)).containsExactly(1, 448);
        PreprocessedImage pre = preprocessor.preprocess(new RgbImage(1, 1000, new byte[3000]), 1);
        assertThat(pre.crops()).isEqualTo(1);
    }

    @Test
    void refusesAMaxPartitionOutsideOneToTwelve() {
        RgbImage image = new RgbImage(2, 2, new byte[12]);
        assertThatThrownBy(() -> preprocessor.preprocess(image, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> preprocessor.preprocess(image, 13)).isInstanceOf(IllegalArgumentException.class);
    }
}
