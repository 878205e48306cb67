package dev.ovis.serve.vision.preprocess;

import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.vision.image.RgbImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Ovis2's {@code preprocess_image} (ovis2.md §2): choose the grid, cut the tiles (whole image first
 * when there is more than one), resize each so its long side is 448 with Pillow's bicubic, rescale
 * by 1/255 and normalise with the CLIP mean and std exactly as the slow CLIP image processor does
 * (float64 rescale, then float32), and centre it on a zero canvas. Stateless and thread-safe.
 */
public final class ImagePreprocessor {

    /** OpenAI CLIP normalisation, as float32 like the reference's numpy arrays. */
    private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
    private static final double RESCALE = 0.00392156862745098;
    private static final int SIDE = GridPartition.SIDE;
    /** The normalised value of each 8-bit level per channel: 3 × 256 floats. */
    private static final float[] LEVELS = levels();

    /** Preprocesses {@code image} with at most {@code maxPartition} tiles (1–12). */
    public PreprocessedImage preprocess(RgbImage image, int maxPartition) {
        if (maxPartition < 1 || maxPartition > 12) {
            throw new IllegalArgumentException("maxPartition must be in 1..12: " + maxPartition);
        }
        ImageLayout layout = GridPartition.choose(image.width(), image.height(), maxPartition);
        List<CropBox> crops = new ArrayList<>(layout.crops());
        if (layout.crops() > 1) {
            crops.add(new CropBox(0, 0, image.width(), image.height()));
        }
        crops.addAll(GridPartition.boxes(image.width(), image.height(), layout));
        float[] out = new float[crops.size() * PreprocessedImage.CROP_FLOATS];
        for (int i = 0; i < crops.size(); i++) {
            writeCrop(image, crops.get(i), out, i * PreprocessedImage.CROP_FLOATS);
        }
        return new PreprocessedImage(layout, out);
    }

    /** The normalised value of 8-bit {@code level} in {@code channel}. */
    static float normalised(int channel, int level) {
        return LEVELS[channel * 256 + level];
    }

    /** Output size (width, height) of a crop: long side 448, short side floored, never below 1 pixel. */
    static int[] targetSize(int w, int h) {
        if (w == h) {
            return new int[] {SIDE, SIDE};
        }
        if (w > h) {
            return new int[] {SIDE, Math.max(1, (int) ((double) h / w * SIDE))};
        }
        return new int[] {Math.max(1, (int) ((double) w / h * SIDE)), SIDE};
    }

    private static void writeCrop(RgbImage image, CropBox box, float[] out, int offset) {
        if (box.width() < 1 || box.height() < 1) {
            return; // a degenerate tile (never chosen in practice) stays the zero canvas
        }
        int[] size = targetSize(box.width(), box.height());
        int nw = size[0];
        int nh = size[1];
        byte[] rgb = BicubicResampler.resize(image, box, nw, nh);
        int left = nh > nw ? (SIDE - nw) / 2 : 0;
        int top = nw > nh ? (SIDE - nh) / 2 : 0;
        int plane = SIDE * SIDE;
        for (int y = 0; y < nh; y++) {
            int row = offset + (top + y) * SIDE + left;
            int p = y * nw * 3;
            for (int x = 0; x < nw; x++, p += 3) {
                out[row + x] = LEVELS[rgb[p] & 0xFF];
                out[row + plane + x] = LEVELS[256 + (rgb[p + 1] & 0xFF)];
                out[row + 2 * plane + x] = LEVELS[512 + (rgb[p + 2] & 0xFF)];
            }
        }
    }

    private static float[] levels() {
        float[] table = new float[3 * 256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float rescaled = (float) (v * RESCALE);
                table[c * 256 + v] = (rescaled - MEAN[c]) / STD[c];
            }
        }
        return table;
    }
}
