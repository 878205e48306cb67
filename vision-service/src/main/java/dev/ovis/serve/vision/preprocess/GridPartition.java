package dev.ovis.serve.vision.preprocess;

import dev.ovis.serve.common.layout.ImageLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Ovis2's grid choice (ovis2.md §2.2): among the grids of at most {@code maxPartition} tiles, the
 * fewest tiles whose covering ratio exceeds 0.9 (ties: larger ratio), else the best ratio (ties: fewer
 * tiles); candidates in row-major order, so ties beyond that keep that order. The ratio credits each
 * tile with its area, shrunk as if the long side were resized down to 448 (no credit for upscaling).
 */
public final class GridPartition {

    /** Side of a crop fed to the vision model. */
    public static final int SIDE = 448;
    private static final double COVERING_THRESHOLD = 0.9;

    private GridPartition() {
    }

    /** The grid for an image of {@code width × height} with at most {@code maxPartition} tiles. */
    public static ImageLayout choose(int width, int height, int maxPartition) {
        if (maxPartition < 1) {
            throw new IllegalArgumentException("maxPartition must be >= 1: " + maxPartition);
        }
        double area = (double) width * height;
        ImageLayout bestGood = null;
        double bestGoodRatio = 0;
        ImageLayout bestAny = null;
        double bestAnyRatio = -1;
        for (int r = 1; r <= maxPartition; r++) {
            for (int c = 1; c <= maxPartition; c++) {
                if (r * c > maxPartition) {
                    continue;
                }
                ImageLayout grid = new ImageLayout(r, c);
                double covered = 0;
                for (CropBox box : boxes(width, height, grid)) {
                    covered += coveringArea(box);
                }
                double ratio = covered / area;
                int tiles = r * c;
                if (ratio > COVERING_THRESHOLD) {
                    int bestTiles = bestGood == null ? Integer.MAX_VALUE : bestGood.rows() * bestGood.cols();
                    if (tiles < bestTiles || (tiles == bestTiles && ratio > bestGoodRatio)) {
                        bestGood = grid;
                        bestGoodRatio = ratio;
                    }
                }
                int anyTiles = bestAny == null ? Integer.MAX_VALUE : bestAny.rows() * bestAny.cols();
                if (ratio > bestAnyRatio || (ratio == bestAnyRatio && tiles < anyTiles)) {
                    bestAny = grid;
                    bestAnyRatio = ratio;
                }
            }
        }
        return bestGood != null ? bestGood : bestAny;
    }

    /** The tiles of {@code grid}, row-major; the last row and column take the remainder pixels. */
    public static List<CropBox> boxes(int width, int height, ImageLayout grid) {
        int rowHeight = height / grid.rows();
        int colWidth = width / grid.cols();
        List<CropBox> boxes = new ArrayList<>(grid.rows() * grid.cols());
        for (int row = 0; row < grid.rows(); row++) {
            for (int col = 0; col < grid.cols(); col++) {
                boxes.add(new CropBox(col * colWidth, row * rowHeight,
                        col == grid.cols() - 1 ? width : (col + 1) * colWidth,
                        row == grid.rows() - 1 ? height : (row + 1) * rowHeight));
            }
        }
        return boxes;
    }

    private static double coveringArea(CropBox box) {
        double longSide = Math.max(box.width(), box.height());
        double shortSide = Math.min(box.width(), box.height());
        if (longSide > SIDE) {
            shortSide = shortSide / longSide * SIDE;
            longSide = SIDE;
        }
        return longSide * shortSide;
    }
}
