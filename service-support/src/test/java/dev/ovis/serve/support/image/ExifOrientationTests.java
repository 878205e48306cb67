package dev.ovis.serve.support.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * EXIF orientation on decoded rasters of every layout a decoder gives, against the per-pixel definition
 * (ImageOps.exif_transpose): where each displayed pixel comes from in the stored image.
 */
class ExifOrientationTests {

    @ParameterizedTest(name = "orientation {0}, image type {1}")
    @CsvSource({"1,1", "2,1", "3,1", "4,1", "5,1", "6,1", "7,1", "8,1",
            "2,5", "5,5", "6,5", "7,5", "8,5",       // 3-byte BGR (JPEG)
            "3,12", "6,12", "7,12",                   // 1-bit packed (bi-level PNG)
            "6,13", "8,13",                           // byte palette
            "4,11", "5,11"})                          // 16-bit grey
    void turnsTheRasterAsTheTagSays(int orientation, int imageType) {
        // given: 7 x 5 pixels, each different where the layout allows
        BufferedImage stored = new BufferedImage(7, 5, imageType);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                stored.setRGB(x, y, imageType == BufferedImage.TYPE_BYTE_BINARY ? ((x * 3 + y) % 2 == 0 ? 0 : 0xffffff)
                        : (x * 36) << 16 | (y * 50) << 8 | (x * 5 + y * 11));
            }
        }

        // when
        Raster upright = ExifOrientation.apply(stored.getRaster(), orientation);

        // then
        boolean swap = orientation >= 5;
        assertThat(upright.getWidth()).isEqualTo(swap ? 5 : 7);
        assertThat(upright.getHeight()).isEqualTo(swap ? 7 : 5);
        int w = 7;
        int h = 5;
        for (int oy = 0; oy < upright.getHeight(); oy++) {
            for (int ox = 0; ox < upright.getWidth(); ox++) {
                int[] source = switch (orientation) {
                    case 1 -> new int[] {ox, oy};
                    case 2 -> new int[] {w - 1 - ox, oy};
                    case 3 -> new int[] {w - 1 - ox, h - 1 - oy};
                    case 4 -> new int[] {ox, h - 1 - oy};
                    case 5 -> new int[] {oy, ox};
                    case 6 -> new int[] {oy, h - 1 - ox};
                    case 7 -> new int[] {w - 1 - oy, h - 1 - ox};
                    default -> new int[] {w - 1 - oy, ox};
                };
                assertThat(upright.getPixel(ox, oy, (int[]) null))
                        .as("(%d, %d) from (%d, %d)", ox, oy, source[0], source[1])
                        .containsExactly(stored.getRaster().getPixel(source[0], source[1], (int[]) null));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"0", "9", "-1"})
    void anOrientationOutsideTheTagsRangeLeavesTheRasterAsItIs(int orientation) {
        BufferedImage stored = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);

        assertThat(ExifOrientation.apply(stored.getRaster(), orientation)).isSameAs(stored.getRaster());
    }
}
