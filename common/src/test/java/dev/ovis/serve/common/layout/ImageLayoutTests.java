package dev.ovis.serve.common.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageLayoutTests {

    private static final int A = ImageLayout.ATOM;

    @Test
    void singleTileCosts259Positions() {
        ImageLayout layout = new ImageLayout(1, 1);

        assertThat(layout.crops()).isEqualTo(1);
        assertThat(layout.placeholders()).containsExactly(-301, A, -302, -305);
        assertThat(layout.positions()).isEqualTo(259);
    }

    @Test
    void twoByTwoGridOfTheWorkedExample() {
        // ovis2.md §12.1: 640x480 → (2,2) → [-301, A, -302, A, -303, A, -304, A, -303, A, -305], 1286 positions
        ImageLayout layout = new ImageLayout(2, 2);

        assertThat(layout.placeholders()).containsExactly(-301, A, -302, A, -303, A, -304, A, -303, A, -305);
        assertThat(layout.crops()).isEqualTo(5);
        assertThat(layout.positions()).isEqualTo(1286);
    }

    @Test
    void twoByThreeGridLayout() {
        ImageLayout layout = new ImageLayout(2, 3);

        assertThat(layout.placeholders())
                .isEqualTo(List.of(-301, A, -302, A, -303, A, -303, A, -304, A, -303, A, -303, A, -305));
        assertThat(layout.positions()).isEqualTo(1800);
    }

    @Test
    void atomsEqualCropsAndPositionsFollowTheFormula() {
        for (int r = 1; r <= 12; r++) {
            for (int c = 1; r * c <= 12; c++) {
                ImageLayout layout = new ImageLayout(r, c);
                long atoms = layout.placeholders().stream().filter(id -> id == A).count();
                long indicators = layout.placeholders().size() - atoms;

                assertThat(atoms).isEqualTo(layout.crops());
                assertThat(layout.positions()).isEqualTo(indicators + 256L * atoms);
            }
        }
        assertThat(new ImageLayout(3, 3).positions()).isEqualTo(2571);
        assertThat(new ImageLayout(3, 4).positions()).isEqualTo(3342);
    }

    @Test
    void indicatorIndexFollowsTheReferenceOrder() {
        assertThat(ImageLayout.indicatorIndex(-301)).isZero();
        assertThat(ImageLayout.indicatorIndex(-305)).isEqualTo(4);
        assertThatThrownBy(() -> ImageLayout.indicatorIndex(-300)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesAnEmptyGrid() {
        assertThatThrownBy(() -> new ImageLayout(0, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
