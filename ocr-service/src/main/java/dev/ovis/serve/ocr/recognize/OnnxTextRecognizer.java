package dev.ovis.serve.ocr.recognize;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ovis.serve.ocr.image.RgbImage;
import dev.ovis.serve.ocr.image.Tensors;
import dev.ovis.serve.ocr.model.OnnxModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A PP-OCR (SVTR/CRNN) recognition model on ONNX Runtime with CTC decoding. Crops are scaled to
 * height 48 keeping their aspect, sorted by aspect ratio and batched only while padding stays
 * under 10% of the batch (on a CPU, padded columns are pure waste; measured in docs/ocr.md), and
 * normalised to [-1, 1] in BGR order; padding columns are 0 after normalisation, as in training.
 */
public final class OnnxTextRecognizer implements TextRecognizer {

    private static final int HEIGHT = 48;
    private static final float[] HALF = {0.5f, 0.5f, 0.5f};

    private final String name;
    private final Set<String> languages;
    private final OnnxModel model;
    private final CtcDecoder decoder;
    private final int batchSize;
    private final int maxWidth;

    /** @param maxWidth widest input in pixels (longer crops are squeezed to it); 0 = no cap */
    public OnnxTextRecognizer(String name, Set<String> languages, OnnxModel model, CharDictionary dictionary,
            int batchSize, int maxWidth) {
        this.name = name;
        this.languages = Set.copyOf(languages);
        this.model = model;
        this.decoder = new CtcDecoder(dictionary);
        this.batchSize = batchSize;
        this.maxWidth = maxWidth <= 0 ? Integer.MAX_VALUE : maxWidth;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<String> languages() {
        return languages;
    }

    @Override
    public List<Recognition> recognize(List<RgbImage> crops) throws OrtException {
        Recognition[] out = new Recognition[crops.size()];
        Integer[] order = new Integer[crops.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble(i -> aspect(crops.get(i))));
        for (int start = 0, n; start < order.length; start += n) {
            n = batchLength(crops, order, start);
            double maxAspect = aspect(crops.get(order[start + n - 1]));
            int width = (int) Math.min(maxWidth, Math.ceil(HEIGHT * maxAspect));
            FloatBuffer input = ByteBuffer.allocateDirect(n * 3 * HEIGHT * width * Float.BYTES)
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < n; i++) {
                RgbImage crop = crops.get(order[start + i]);
                int w = (int) Math.max(1, Math.min(width, Math.ceil(HEIGHT * aspect(crop))));
                Tensors.putBgr(input, i, Tensors.resize(crop, w, HEIGHT), HEIGHT, width, HALF, HALF);
            }
            try (OnnxTensor tensor = OnnxTensor.createTensor(model.environment(), input, new long[] {n, 3, HEIGHT, width});
                    OrtSession.Result result = model.session().run(Map.of(model.inputName(), tensor))) {
                OnnxTensor output = (OnnxTensor) result.get(0);
                long[] shape = output.getInfo().getShape();
                int steps = (int) shape[1];
                int classes = (int) shape[2];
                float[] probs = new float[n * steps * classes];
                output.getFloatBuffer().get(probs);
                for (int i = 0; i < n; i++) {
                    out[order[start + i]] = decoder.decode(probs, i, steps, classes);
                }
            }
        }
        return List.of(out);
    }

    /** How many crops from {@code start} (sorted by aspect) fit one batch with under 10% padding. */
    private int batchLength(List<RgbImage> crops, Integer[] order, int start) {
        double sum = 0;
        int n = 0;
        while (start + n < order.length && n < batchSize) {
            double a = aspect(crops.get(order[start + n]));
            if (n > 0 && a * (n + 1) > 1.1 * (sum + a)) {
                break;
            }
            sum += a;
            n++;
        }
        return n;
    }

    private static double aspect(RgbImage crop) {
        return (double) crop.width() / crop.height();
    }
}
