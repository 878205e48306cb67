package dev.ovis.serve.model;

/**
 * The formula-defined pixel values the exporter's "vision_check" reference uses (make_fixture.py),
 * so a vision graph can be compared with torch without an image codec in between.
 */
final class FormulaPixels {

    private FormulaPixels() {
    }

    /** {@code n} crops of 3 × side × side, NCHW. */
    static float[] of(int n, int side) {
        float[] pixels = new float[n * 3 * side * side];
        int i = 0;
        for (int crop = 0; crop < n; crop++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        pixels[i++] = (float) (2 * Math.sin(0.013 * (x + 1) * (c + 1) + 0.021 * y + 0.7 * crop));
                    }
                }
            }
        }
        return pixels;
    }
}
