package dev.ovis.serve.ocr.detect;

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

/**
 * PP-OCR's DB text detector on ONNX Runtime: the image is scaled so its longer side is at most
 * {@code maxSideLength} (each side a multiple of 32, as the network downsamples by 32), padded
 * with a white border so text touching the edge is still found, normalised with ImageNet
 * statistics in BGR order; the probability map is post-processed by {@link DbPostProcessor}.
 */
public final class OnnxTextDetector implements TextDetector {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private final OnnxModel model;
    private final DbPostProcessor post;
    private final int maxSideLength;
    private final int padding;

    public OnnxTextDetector(OnnxModel model, DbPostProcessor post, int maxSideLength, int padding) {
        this.model = model;
        this.post = post;
        this.maxSideLength = maxSideLength;
        this.padding = padding;
    }

    @Override
    public List<DbPostProcessor.ScoredBox> detect(RgbImage image) throws OrtException {
        int paddedWidth = image.width() + 2 * padding;
        int paddedHeight = image.height() + 2 * padding;
        double scale = maxSideLength <= 0 ? 1.0 : Math.min(1.0, (double) maxSideLength / Math.max(paddedWidth, paddedHeight));
        int width = roundTo32(paddedWidth * scale);
        int height = roundTo32(paddedHeight * scale);
        double sx = (double) width / paddedWidth;
        double sy = (double) height / paddedHeight;
        RgbImage resized = Tensors.resize(pad(image), width, height);
        FloatBuffer input = ByteBuffer.allocateDirect(3 * width * height * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        Tensors.putBgr(input, 0, resized, height, width, MEAN, STD);
        float[] probability = new float[width * height];
        var env = model.environment();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, new long[] {1, 3, height, width});
                OrtSession.Result result = model.session().run(java.util.Map.of(model.inputName(), tensor))) {
            ((OnnxTensor) result.get(0)).getFloatBuffer().get(probability);
        }
        List<DbPostProcessor.ScoredBox> boxes = post.boxes(probability, width, height);
        List<DbPostProcessor.ScoredBox> out = new ArrayList<>(boxes.size());
        for (DbPostProcessor.ScoredBox box : boxes) {
            Quad q = box.quad().transform(1 / sx, 1 / sy, -padding, -padding, image.width() - 1, image.height() - 1);
            if (q.width() >= 3 && q.height() >= 3) {
                out.add(new DbPostProcessor.ScoredBox(q, box.score()));
            }
        }
        return out;
    }

    private RgbImage pad(RgbImage image) {
        if (padding == 0) {
            return image;
        }
        int w = image.width() + 2 * padding;
        int h = image.height() + 2 * padding;
        int[] out = new int[w * h];
        java.util.Arrays.fill(out, 0xffffff);
        for (int y = 0; y < image.height(); y++) {
            System.arraycopy(image.rgb(), y * image.width(), out, (y + padding) * w + padding, image.width());
        }
        return new RgbImage(w, h, out);
    }

    private static int roundTo32(double v) {
        return Math.max(32, (int) Math.round(v / 32) * 32);
    }
}
