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

    public OnnxOrientationClassifier(OnnxModel model, double threshold, int batchSize) {
        this.model = model;
        this.threshold = threshold;
        this.batchSize = batchSize;
    }

    @Override
    public boolean[] classify(List<RgbImage> crops) throws OrtException {
        boolean[] turned = new boolean[crops.size()];
        for (int start = 0; start < crops.size(); start += batchSize) {
            int n = Math.min(batchSize, crops.size() - start);
            FloatBuffer input = ByteBuffer.allocateDirect(n * 3 * HEIGHT * WIDTH * Float.BYTES)
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < n; i++) {
                RgbImage crop = crops.get(start + i);
                int w = (int) Math.min(WIDTH, Math.ceil(HEIGHT * (double) crop.width() / crop.height()));
                Tensors.putBgr(input, i, Tensors.resize(crop, Math.max(1, w), HEIGHT), HEIGHT, WIDTH, HALF, HALF);
            }
            try (OnnxTensor tensor = OnnxTensor.createTensor(model.environment(), input, new long[] {n, 3, HEIGHT, WIDTH});
                    OrtSession.Result result = model.session().run(Map.of(model.inputName(), tensor))) {
                float[] probs = new float[n * 2];
                ((OnnxTensor) result.get(0)).getFloatBuffer().get(probs);
                for (int i = 0; i < n; i++) {
                    turned[start + i] = probs[2 * i + 1] > probs[2 * i] && probs[2 * i + 1] >= threshold;
                }
            }
        }
        return turned;
    }
}
