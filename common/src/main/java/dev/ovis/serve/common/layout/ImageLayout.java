package dev.ovis.serve.common.layout;

import java.util.ArrayList;
import java.util.List;

/**
 * The Ovis2 placeholder layout of one image: the grid it was partitioned into, the crops that grid
 * produces, and the placeholder sequence standing for the image in the prompt. This is the one
 * function both the vision side (how many crops to embed) and the llm side (where to splice them)
 * use; see ovis2.md §2.6.
 *
 * <p>Placeholder ids (negative, never real token ids): {@link #ATOM} stands for one crop (256
 * visual rows); the five indicators are START, GRID (after the global/only crop), COLUMN separator,
 * ROW separator and END. For grid (2,3):
 * {@code [START, A, GRID, A, COL, A, COL, A, ROW, A, COL, A, COL, A, END]} where the first A is the
 * global view.
 *
 * @param rows grid rows (≥ 1)
 * @param cols grid columns (≥ 1)
 */
public record ImageLayout(int rows, int cols) {

    /** One crop: replaced by {@link #TOKENS_PER_CROP} visual rows. */
    public static final int ATOM = -300;
    /** Indicator: start of an image (visual-embedding-table row V-5). */
    public static final int START = -301;
    /** Indicator: after the global (or only) crop (row V-4). */
    public static final int GRID = -302;
    /** Indicator: between columns of a grid row (row V-3). */
    public static final int COLUMN = -303;
    /** Indicator: between grid rows (row V-2). */
    public static final int ROW = -304;
    /** Indicator: end of an image (row V-1). */
    public static final int END = -305;
    /** Visual rows per crop: (448 / 14 / 2)² with the 2×2 merge. */
    public static final int TOKENS_PER_CROP = 256;

    public ImageLayout {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("grid must be at least 1x1: " + rows + "x" + cols);
        }
    }

    /** Crops this grid produces: the tiles, plus the whole image first when there is more than one tile. */
    public int crops() {
        int tiles = rows * cols;
        return tiles > 1 ? tiles + 1 : 1;
    }

    /** The placeholder sequence of ovis2.md §2.6 (atoms and indicators). */
    public List<Integer> placeholders() {
        List<Integer> ids = new ArrayList<>();
        ids.add(START);
        ids.add(ATOM);
        ids.add(GRID);
        if (rows * cols > 1) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    ids.add(ATOM);
                    if (c < cols - 1) {
                        ids.add(COLUMN);
                    }
                }
                if (r < rows - 1) {
                    ids.add(ROW);
                }
            }
        }
        ids.add(END);
        return List.copyOf(ids);
    }

    /** LLM positions this image costs: indicators plus 256 per crop (259 for one tile). */
    public int positions() {
        int tiles = rows * cols;
        int indicators = tiles > 1 ? tiles + 2 : 3;
        return indicators + TOKENS_PER_CROP * crops();
    }

    /** Index (0..4) of an indicator id into the five indicator rows (START → 0 … END → 4). */
    public static int indicatorIndex(int placeholderId) {
        if (placeholderId > START || placeholderId < END) {
            throw new IllegalArgumentException("not an indicator id: " + placeholderId);
        }
        return START - placeholderId;
    }
}
