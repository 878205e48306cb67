package dev.ovis.serve.ocr.engine;

import dev.ovis.serve.common.ocr.OcrBlock;
import dev.ovis.serve.common.ocr.OcrLine;
import dev.ovis.serve.common.ocr.Point;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Puts lines into blocks in reading order. The page's skew (median angle of the wide lines) is
 * undone first, so a slightly rotated page orders like a straight one. Then a recursive XY-cut:
 * a region splits into columns at a vertical gutter (left to right) when the sides are real
 * columns — not a form whose labels and values sit on the same rows — else into bands at
 * paragraph gaps (top to bottom); what cannot be split is a block, read row by row.
 */
public final class ReadingOrder {

    private record Item(OcrLine line, double x0, double y0, double x1, double y1) {
        double cy() {
            return (y0 + y1) / 2;
        }
    }

    private ReadingOrder() {
    }

    /** Page skew in radians: the median top-edge angle of lines at least twice as wide as tall. */
    public static double skew(List<OcrLine> lines) {
        List<Double> angles = new ArrayList<>();
        for (OcrLine l : lines) {
            Point tl = l.box().get(0), tr = l.box().get(1), bl = l.box().get(3);
            double w = Math.hypot(tr.x() - tl.x(), tr.y() - tl.y());
            double h = Math.hypot(bl.x() - tl.x(), bl.y() - tl.y());
            if (w >= 2 * h) {
                angles.add(Math.atan2(tr.y() - tl.y(), tr.x() - tl.x()));
            }
        }
        if (angles.isEmpty()) {
            return 0;
        }
        angles.sort(Double::compare);
        return angles.get(angles.size() / 2);
    }

    public static List<OcrBlock> blocks(List<OcrLine> lines) {
        double angle = skew(lines);
        double cos = Math.cos(-angle), sin = Math.sin(-angle);
        List<Item> items = new ArrayList<>();
        for (OcrLine l : lines) {
            double x0 = Double.MAX_VALUE, y0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
            for (Point p : l.box()) {
                double x = p.x() * cos - p.y() * sin, y = p.x() * sin + p.y() * cos;
                x0 = Math.min(x0, x);
                y0 = Math.min(y0, y);
                x1 = Math.max(x1, x);
                y1 = Math.max(y1, y);
            }
            items.add(new Item(l, x0, y0, x1, y1));
        }
        if (items.isEmpty()) {
            return List.of();
        }
        List<Double> heights = items.stream().map(i -> i.y1() - i.y0()).sorted().toList();
        double h = Math.max(1, heights.get(heights.size() / 2));
        List<OcrBlock> out = new ArrayList<>();
        cut(items, h, out);
        return out;
    }

    /** Full text: lines on one row joined by a space, rows by a newline, blocks by a blank line. */
    public static String text(List<OcrBlock> blocks) {
        List<String> parts = new ArrayList<>();
        for (OcrBlock block : blocks) {
            StringBuilder b = new StringBuilder();
            OcrLine previous = null;
            for (OcrLine line : block.lines()) {
                if (previous != null) {
                    b.append(sameRow(previous, line) ? " " : "\n");
                }
                b.append(line.text());
                previous = line;
            }
            parts.add(b.toString());
        }
        return String.join("\n\n", parts);
    }

    private static boolean sameRow(OcrLine a, OcrLine b) {
        double ay0 = Math.min(a.box().get(0).y(), a.box().get(1).y());
        double ay1 = Math.max(a.box().get(2).y(), a.box().get(3).y());
        double by0 = Math.min(b.box().get(0).y(), b.box().get(1).y());
        double by1 = Math.max(b.box().get(2).y(), b.box().get(3).y());
        double overlap = Math.min(ay1, by1) - Math.max(ay0, by0);
        return overlap > 0.5 * Math.min(ay1 - ay0, by1 - by0) && b.box().get(0).x() > a.box().get(0).x();
    }

    private static void cut(List<Item> items, double h, List<OcrBlock> out) {
        if (items.size() > 1) {
            List<List<Item>> columns = split(items, true, 1.5 * h);
            if (columns.size() > 1 && areColumns(columns, h)) {
                columns.forEach(c -> cut(c, h, out));
                return;
            }
            List<List<Item>> bands = split(items, false, 1.5 * h);
            if (bands.size() > 1) {
                bands.forEach(b -> cut(b, h, out));
                return;
            }
        }
        out.add(new OcrBlock(rows(items)));
    }

    /** Groups along one axis, starting a new group where the gap to everything before is at least {@code minGap}. */
    private static List<List<Item>> split(List<Item> items, boolean vertical, double minGap) {
        List<Item> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingDouble(i -> vertical ? i.x0() : i.y0()));
        List<List<Item>> groups = new ArrayList<>();
        List<Item> current = new ArrayList<>();
        double end = -Double.MAX_VALUE;
        for (Item i : sorted) {
            double start = vertical ? i.x0() : i.y0();
            if (!current.isEmpty() && start - end >= minGap) {
                groups.add(current);
                current = new ArrayList<>();
            }
            current.add(i);
            end = Math.max(end, vertical ? i.x1() : i.y1());
        }
        groups.add(current);
        return groups;
    }

    /**
     * Side-by-side groups are columns unless they look like a form or receipt: every line of
     * the left group shares a row with the right group while the left lines end raggedly.
     */
    private static boolean areColumns(List<List<Item>> groups, double h) {
        for (int g = 0; g + 1 < groups.size(); g++) {
            List<Item> left = groups.get(g), right = groups.get(g + 1);
            long aligned = left.stream().filter(a -> right.stream().anyMatch(b -> overlapY(a, b) > 0.5 * h)).count();
            double maxRight = left.stream().mapToDouble(Item::x1).max().orElse(0);
            long filled = left.stream().filter(a -> a.x1() >= maxRight - 4 * h).count();
            boolean rowAligned = aligned >= 0.8 * left.size();
            boolean ragged = filled < 0.6 * left.size();
            if (rowAligned && (ragged || left.size() == 1)) {
                return false;
            }
        }
        return true;
    }

    private static double overlapY(Item a, Item b) {
        return Math.min(a.y1(), b.y1()) - Math.max(a.y0(), b.y0());
    }

    private static List<OcrLine> rows(List<Item> items) {
        List<Item> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingDouble(Item::cy));
        List<List<Item>> rows = new ArrayList<>();
        for (Item i : sorted) {
            List<Item> row = rows.isEmpty() ? null : rows.getLast();
            if (row != null && row.stream().anyMatch(r -> overlapY(r, i) > 0.5 * Math.min(r.y1() - r.y0(), i.y1() - i.y0()))) {
                row.add(i);
            } else {
                rows.add(new ArrayList<>(List.of(i)));
            }
        }
        List<OcrLine> out = new ArrayList<>();
        for (List<Item> row : rows) {
            row.sort(Comparator.comparingDouble(Item::x0));
            row.forEach(i -> out.add(i.line()));
        }
        return out;
    }
}
