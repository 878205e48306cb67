package dev.ovis.serve.ocr.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.ocr.Point;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerspectiveCropTests {

    @Test
    void anAxisAlignedQuadCropsTheSubImage() {
        int[] px = new int[20 * 10];
        for (int i = 0; i < px.length; i++) {
            px[i] = (i % 20) * 10 << 16 | (i / 20) * 20;
        }
        RgbImage image = new RgbImage(20, 10, px);

        RgbImage crop = PerspectiveCrop.crop(image, List.of(new Point(5, 2), new Point(15, 2), new Point(15, 8),
                new Point(5, 8)), 10, 6);

        assertThat(crop.at(0, 0)).isEqualTo(image.at(5, 2));
        assertThat(crop.at(9, 5)).isEqualTo(image.at(14, 7));
    }

    @Test
    void turningTwiceBy180IsIdentityAnd90SwapsSides() {
        RgbImage image = new RgbImage(3, 2, new int[] {1, 2, 3, 4, 5, 6});

        assertThat(image.rotate180().rotate180().rgb()).containsExactly(1, 2, 3, 4, 5, 6);
        RgbImage turned = image.rotate90CounterClockwise();
        assertThat(turned.width()).isEqualTo(2);
        assertThat(turned.rgb()).containsExactly(3, 6, 2, 5, 1, 4);
    }
}
