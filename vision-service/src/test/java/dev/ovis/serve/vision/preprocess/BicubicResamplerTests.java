package dev.ovis.serve.vision.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.vision.image.RgbImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The Pillow 9.4 test vectors of ovis2.md §13.1. */
class BicubicResamplerTests {

    @Test
    void coefficientsOfATenToFourDownscale() {
        BicubicResampler.Coefficients c = BicubicResampler.coefficients(10, 4);
        assertThat(c.bounds()[0]).as("xmin").isZero();
        assertThat(c.bounds()[1]).as("taps").isEqualTo(6);
        assertThat(Arrays.copyOfRange(c.k(), 0, 6)).containsExactly(1475606, 1766927, 1017815, 123947, -132995, -56998);
    }

    @Test
    void coefficientsOfA640To224Downscale() {
        BicubicResampler.Coefficients c = BicubicResampler.coefficients(640, 224);
        int out = 2;
        assertThat(c.bounds()[out * 2]).as("xmin").isEqualTo(1);
        assertThat(c.bounds()[out * 2 + 1]).as("taps").isEqualTo(12);
        assertThat(Arrays.copyOfRange(c.k(), out * c.ksize(), out * c.ksize() + 12)).containsExactly(
                -447, -64529, -106126, 70655, 673411, 1307646, 1415344, 876188, 206620, -87450, -86968, -10038);
    }

    @Test
    void resizesASevenByFiveImageLikePillow() {
        // given a[y][x][c] = ((y*7 + x)*3 + c)*37 mod 256
        byte[] px = new byte[7 * 5 * 3];
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                for (int c = 0; c < 3; c++) {
                    px[(y * 7 + x) * 3 + c] = (byte) ((((y * 7 + x) * 3 + c) * 37) % 256);
                }
            }
        }
        // when
        byte[] out = BicubicResampler.resize(new RgbImage(7, 5, px), new CropBox(0, 0, 7, 5), 3, 2);
        // then
        int[] unsigned = new int[out.length];
        for (int i = 0; i < out.length; i++) {
            unsigned[i] = out[i] & 0xFF;
        }
        assertThat(unsigned).containsExactly(99, 79, 126, 158, 124, 87, 117, 165, 149, 99, 103, 146, 152, 118, 111, 141, 165, 132);
    }

    @Test
    void sameSizeIsACopyOfTheRegion() {
        byte[] px = new byte[4 * 3 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) i;
        }
        byte[] out = BicubicResampler.resize(new RgbImage(4, 3, px), new CropBox(1, 1, 3, 3), 2, 2);
        assertThat(out).containsExactly(15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32);
    }
}
