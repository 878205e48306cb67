package dev.ovis.serve.support.image;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * How long turning a decoded 12 MP photo upright takes (not in the normal run; docs/benchmarks.md): the shared
 * decoder's {@link ExifOrientation#apply} on the JDK's 3-byte BGR raster, against the per-pixel loop on
 * interleaved RGB bytes that vision's decoder ran before the decoder was shared. Prints medians of 9.
 */
class ExifOrientationBenchmark {

    private static final int W = 4000;
    private static final int H = 3000;

    @Test
    void turnAPhoto() {
        BufferedImage photo = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        byte[] rgb = new byte[W * H * 3];
        for (int round = 0; round < 2; round++) { // the first round warms the JIT up
            for (int orientation : new int[] {3, 6, 8}) {
                long[] shared = new long[9];
                long[] before = new long[9];
                for (int i = 0; i < shared.length; i++) {
                    long start = System.nanoTime();
                    ExifOrientation.apply(photo.getRaster(), orientation);
                    shared[i] = System.nanoTime() - start;
                    start = System.nanoTime();
                    perPixelRgb(rgb, orientation);
                    before[i] = System.nanoTime() - start;
                }
                Arrays.sort(shared);
                Arrays.sort(before);
                if (round == 1) {
                    System.out.printf("12 MP, orientation %d: shared decoder %.0f ms, former vision loop %.0f ms (medians of 9)%n",
                            orientation, shared[4] / 1e6, before[4] / 1e6);
                }
            }
        }
    }

    /** Vision's former ExifOrientation.apply on an RgbImage's bytes, for comparison. */
    private static byte[] perPixelRgb(byte[] src, int orientation) {
        boolean swap = orientation >= 5;
        int ow = swap ? H : W;
        int oh = swap ? W : H;
        byte[] out = new byte[src.length];
        int o = 0;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 3 -> { sx = W - 1 - ox; sy = H - 1 - oy; }
                    case 6 -> { sx = oy; sy = H - 1 - ox; }
                    default -> { sx = W - 1 - oy; sy = ox; }
                }
                int s = (sy * W + sx) * 3;
                out[o++] = src[s];
                out[o++] = src[s + 1];
                out[o++] = src[s + 2];
            }
        }
        return out;
    }
}
