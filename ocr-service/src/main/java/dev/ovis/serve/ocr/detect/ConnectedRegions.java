package dev.ovis.serve.ocr.detect;

import dev.ovis.serve.common.ocr.Point;
import java.util.ArrayList;
import java.util.List;

/**
 * 8-connected regions of a binary bitmap and their border pixels (pixels of the region with a
 * 4-neighbour outside it). The convex hull of the border equals that of the region, which is
 * all the box fitting needs, so no contour tracing order is kept.
 */
final class ConnectedRegions {

    private final boolean[] bitmap;
    private final int width;
    private final int height;

    ConnectedRegions(boolean[] bitmap, int width, int height) {
        this.bitmap = bitmap;
        this.width = width;
        this.height = height;
    }

    List<List<Point>> borders() {
        int[] label = new int[bitmap.length];
        int[] stack = new int[bitmap.length];
        List<List<Point>> out = new ArrayList<>();
        int next = 0;
        for (int start = 0; start < bitmap.length; start++) {
            if (!bitmap[start] || label[start] != 0) {
                continue;
            }
            next++;
            List<Point> border = new ArrayList<>();
            int top = 0;
            stack[top++] = start;
            label[start] = next;
            while (top > 0) {
                int i = stack[--top];
                int x = i % width;
                int y = i / width;
                if (isBorder(x, y)) {
                    border.add(new Point(x, y));
                }
                for (int dy = -1; dy <= 1; dy++) {
                    int ny = y + dy;
                    if (ny < 0 || ny >= height) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = x + dx;
                        if (nx < 0 || nx >= width) {
                            continue;
                        }
                        int j = ny * width + nx;
                        if (bitmap[j] && label[j] == 0) {
                            label[j] = next;
                            stack[top++] = j;
                        }
                    }
                }
            }
            out.add(border);
        }
        return out;
    }

    private boolean isBorder(int x, int y) {
        return x == 0 || y == 0 || x == width - 1 || y == height - 1
                || !bitmap[y * width + x - 1] || !bitmap[y * width + x + 1]
                || !bitmap[(y - 1) * width + x] || !bitmap[(y + 1) * width + x];
    }
}
