package dev.ovis.serve.ocr.quality;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Character error rate and word recall of OCR output against the rendered truth. Whitespace and
 * line breaks are normalised to single spaces; for scripts written without spaces (Chinese,
 * Japanese) spaces are dropped and every character counts as a word.
 */
final class Scoring {

    private Scoring() {
    }

    static boolean spaceless(String language) {
        return language.equals("zh") || language.equals("ja");
    }

    static String normalise(String text, String language) {
        String t = text.replaceAll("\\s+", " ").strip();
        return spaceless(language) ? t.replace(" ", "") : t;
    }

    /** Edit distance / length of the truth, after normalising both. */
    static double cer(String truth, String output, String language) {
        String a = normalise(truth, language);
        String b = normalise(output, language);
        return a.isEmpty() ? (b.isEmpty() ? 0 : 1) : (double) levenshtein(a.codePoints().toArray(), b.codePoints().toArray()) / a.codePointCount(0, a.length());
    }

    /** Fraction of the truth's words (characters for spaceless scripts) found in the output, counting duplicates. */
    static double wordRecall(String truth, String output, String language) {
        List<String> want = words(truth, language);
        Map<String, Integer> have = new HashMap<>();
        for (String w : words(output, language)) {
            have.merge(w, 1, Integer::sum);
        }
        int found = 0;
        for (String w : want) {
            Integer n = have.get(w);
            if (n != null && n > 0) {
                found++;
                have.put(w, n - 1);
            }
        }
        return want.isEmpty() ? 1 : (double) found / want.size();
    }

    private static List<String> words(String text, String language) {
        String t = normalise(text, language);
        List<String> out = new ArrayList<>();
        if (spaceless(language)) {
            t.codePoints().forEach(c -> out.add(new String(Character.toChars(c))));
        } else {
            for (String w : t.split(" ")) {
                if (!w.isEmpty()) {
                    out.add(w);
                }
            }
        }
        return out;
    }

    static int levenshtein(int[] a, int[] b) {
        int[] prev = new int[b.length + 1];
        int[] cur = new int[b.length + 1];
        for (int j = 0; j <= b.length; j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length; i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length; j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }
}
