package dev.ovis.serve.ocr.recognize;

/**
 * Greedy CTC decoding: take the best class per time step, collapse repeats, drop blanks (class
 * 0). Confidence is the mean probability of the kept steps.
 */
public final class CtcDecoder {

    private final CharDictionary dictionary;

    public CtcDecoder(CharDictionary dictionary) {
        this.dictionary = dictionary;
    }

    /** Decodes row {@code row} of a {@code [N, steps, classes]} probability tensor. */
    public Recognition decode(float[] probabilities, int row, int steps, int classes) {
        if (classes != dictionary.size()) {
            throw new IllegalStateException("model has " + classes + " classes, dictionary " + dictionary.size()
                    + " (blank + symbols + space)");
        }
        StringBuilder text = new StringBuilder();
        double sum = 0;
        int kept = 0;
        int previous = -1;
        int base = row * steps * classes;
        for (int t = 0; t < steps; t++) {
            int offset = base + t * classes;
            int best = 0;
            float bestP = probabilities[offset];
            for (int c = 1; c < classes; c++) {
                if (probabilities[offset + c] > bestP) {
                    bestP = probabilities[offset + c];
                    best = c;
                }
            }
            if (best != 0 && best != previous) {
                text.append(dictionary.symbol(best));
                sum += bestP;
                kept++;
            }
            previous = best;
        }
        return new Recognition(text.toString().strip(), kept == 0 ? 0 : sum / kept);
    }
}
