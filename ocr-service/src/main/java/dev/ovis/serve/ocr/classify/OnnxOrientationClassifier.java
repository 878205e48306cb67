package dev.ovis.serve.ocr.classify;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ovis.serve.ocr.image.RgbImage;
import dev.ovis.serve.ocr.image.Tensors;
import dev.ovis.serve.ocr.model.OnnxModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PP-OCR's 0°/180° text-line classifier: crops scaled to height 48 (at most 192 wide, padded),
 * normalised to [-1, 1] in BGR order; a crop counts as turned when the 180° class wins with at
 * least {@code threshold}.
 */
public final class OnnxOrientationClassifier implements OrientationClassifier {

    private static final int HEIGHT = 48;
    private static final int WIDTH = 192;
    private static final float[] HALF = {0.5f, 0.5f, 0.5f};

    private final OnnxModel model;
    private final double threshold;
    private final int batchSize;
    private final boolean windows;

    public OnnxOrientationClassifier(OnnxModel model, double threshold, int batchSize) {
        this(model, threshold, batchSize, false);
    }

    /**
     * @param windows a line longer than 4:1 is judged on up to three 4:1 windows (start, middle,
     *                end; their 180° probabilities averaged) instead of being squeezed to 192 px,
     *                which leaves a long line's letters a few pixels wide
     */
    public OnnxOrientationClassifier(OnnxModel model, double threshold, int batchSize, boolean windows) {
        this.model = model;
        this.threshold = threshold;
        this.batchSize = batchSize;
        this.windows = windows;
    }

    @Override
    public boolean[] classify(List<RgbImage> crops) throws OrtException {
        List<RgbImage> inputs = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int i = 0; i < crops.size(); i++) {
            RgbImage crop = crops.get(i);
            int window = crop.height() * WIDTH / HEIGHT;
            if (windows && crop.width() > window && window > 0) {
                int[] starts = crop.width() >= 3 * window
                        ? new int[] {0, (crop.width() - window) / 2, crop.width() - window}
                        : new int[] {0, crop.width() - window};
                for (int x : starts) {
                    inputs.add(cut(crop, x, window));
                    owner.add(i);
                }
            } else {
                inputs.add(crop);
                owner.add(i);
            }
        }
        double[] turnedSum = new double[crops.size()];
        double[] uprightSum = new double[crops.size()];
        int[] count = new int[crops.size()];
        for (int o : owner) {
            count[o]++;
        }
        for (int start = 0; start < inputs.size(); start += batchSize) {
            int n = Math.min(batchSize, inputs.size() - start);
            FloatBuffer input = ByteBuffer.allocateDirect(n * 3 * HEIGHT * WIDTH * Float.BYTES)
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < n; i++) {
                RgbImage crop = inputs.get(start + i);
                int w = (int) Math.min(WIDTH, Math.ceil(HEIGHT * (double) crop.width() / crop.height()));
                Tensors.putBgr(input, i, Tensors.resize(crop, Math.max(1, w), HEIGHT), HEIGHT, WIDTH, HALF, HALF);
            }
            try (OnnxTensor tensor = OnnxTensor.createTensor(model.environment(), input, new long[] {n, 3, HEIGHT, WIDTH});
                    OrtSession.Result result = model.session().run(Map.of(model.inputName(), tensor))) {
                float[] probs = new float[n * 2];
                ((OnnxTensor) result.get(0)).getFloatBuffer().get(probs);
                for (int i = 0; i < n; i++) {
                    int o = owner.get(start + i);
                    uprightSum[o] += probs[2 * i];
                    turnedSum[o] += probs[2 * i + 1];
                }
            }
        }
        boolean[] turned = new boolean[crops.size()];
        for (int i = 0; i < crops.size(); i++) {
            double up = uprightSum[i] / count[i], down = turnedSum[i] / count[i];
            turned[i] = down > up && down >= threshold;
        }
        return turned;
    }

    private static RgbImage cut(RgbImage crop, int x0, int width) {
        int[] out = new int[width * crop.height()];
        for (int y = 0; y < crop.height(); y++) {
            System.arraycopy(crop.rgb(), y * crop.width() + x0, out, y * width, width);
        }
        return new RgbImage(width, crop.height(), out);
    }
}
