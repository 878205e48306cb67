package dev.ovis.serve.vision.cache;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The stored form of visual embeddings (docs/formats.md): header-less little-endian
 * {@code [crops, 256, hidden]} in float16 (IEEE binary16, round to nearest even) or float32.
 */
public final class EmbeddingBlob {

    private EmbeddingBlob() {
    }

    public static byte[] encode(float[] values, String dtype) {
        if ("float16".equals(dtype)) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                b.putShort(Float.floatToFloat16(v));
            }
            return b.array();
        }
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    public static float[] decode(byte[] bytes, String dtype) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if ("float16".equals(dtype)) {
            float[] out = new float[bytes.length / 2];
            for (int i = 0; i < out.length; i++) {
                out[i] = Float.float16ToFloat(b.getShort());
            }
            return out;
        }
        float[] out = new float[bytes.length / 4];
        b.asFloatBuffer().get(out);
        return out;
    }
}
