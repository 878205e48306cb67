package dev.ovis.serve.ocr.tesseract;

import dev.ovis.serve.common.ocr.Point;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Tesseract's TSV output into lines: word rows (level 5) are grouped by
 * block/paragraph/line, line boxes come from the level-4 rows, confidence is the mean word
 * confidence scaled to [0, 1].
 */
final class TsvParser {

    /** One line as Tesseract saw it. */
    record TsvLine(String text, double confidence, List<Point> box) {
    }

    private TsvParser() {
    }

    static List<TsvLine> parse(String tsv, boolean joinWithoutSpaces) {
        Map<String, int[]> lineBoxes = new LinkedHashMap<>();
        Map<String, List<String>> words = new LinkedHashMap<>();
        Map<String, double[]> confidences = new LinkedHashMap<>();
        for (String row : tsv.split("\n")) {
            String[] f = row.split("\t", -1);
            if (f.length < 12 || !f[0].chars().allMatch(Character::isDigit) || f[0].isEmpty()) {
                continue;
            }
            int level = Integer.parseInt(f[0]);
            String key = f[2] + "/" + f[3] + "/" + f[4];
            int[] box = {Integer.parseInt(f[6]), Integer.parseInt(f[7]), Integer.parseInt(f[8]), Integer.parseInt(f[9])};
            if (level == 4) {
                lineBoxes.put(key, box);
            } else if (level == 5) {
                String text = f[11].strip();
                double conf = Double.parseDouble(f[10]);
                if (text.isEmpty() || conf < 0) {
                    continue;
                }
                words.computeIfAbsent(key, k -> new ArrayList<>()).add(text);
                double[] c = confidences.computeIfAbsent(key, k -> new double[2]);
                c[0] += conf;
                c[1]++;
            }
        }
        List<TsvLine> out = new ArrayList<>();
        for (var e : words.entrySet()) {
            int[] b = lineBoxes.get(e.getKey());
            if (b == null) {
                continue;
            }
            double[] c = confidences.get(e.getKey());
            String text = String.join(joinWithoutSpaces ? "" : " ", e.getValue());
            out.add(new TsvLine(text, c[0] / c[1] / 100.0, List.of(new Point(b[0], b[1]), new Point(b[0] + b[2], b[1]),
                    new Point(b[0] + b[2], b[1] + b[3]), new Point(b[0], b[1] + b[3]))));
        }
        return out;
    }
}
