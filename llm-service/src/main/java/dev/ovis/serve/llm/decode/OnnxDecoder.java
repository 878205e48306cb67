package dev.ovis.serve.llm.decode;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The executor: one run of {@code decoder.onnx} (prefill of one sequence, or one decode step of
 * the batch). Every input wraps a direct buffer without copying, and the outputs — logits and the
 * present KV — are pinned to buffers the caller owns, so ORT writes them in place. Owns the session.
 */
public final class OnnxDecoder implements AutoCloseable {

    static final String INPUTS_EMBEDS = "inputs_embeds";
    static final String ATTENTION_MASK = "attention_mask";
    static final String POSITION_IDS = "position_ids";
    static final String LOGITS = "logits";

    private final OrtEnvironment env;
    private final OrtSession session;
    private final DecoderSpec spec;
    private final AtomicBoolean closed = new AtomicBoolean();

    public OnnxDecoder(OrtEnvironment env, OrtSession session) throws OrtException {
        this.env = env;
        this.session = session;
        this.spec = DecoderSpec.of(session);
    }

    public DecoderSpec spec() {
        return spec;
    }

    /** The session itself, for the benchmark's bare loop on the same model. */
    OrtSession session() {
        return session;
    }

    static String pastKey(int layer) {
        return "past_key_values." + layer + ".key";
    }

    static String pastValue(int layer) {
        return "past_key_values." + layer + ".value";
    }

    static String presentKey(int layer) {
        return "present." + layer + ".key";
    }

    static String presentValue(int layer) {
        return "present." + layer + ".value";
    }

    /**
     * Runs the decoder on {@code batch} rows of {@code steps} new positions each.
     *
     * @param embeds    {@code [batch, steps, hidden]} floats
     * @param mask      {@code [batch, past.length + steps]}: 1 for real positions, 0 for left padding
     * @param positions {@code [batch, steps]} position ids
     * @param past      the past KV ({@code length} may be 0)
     * @param present   where the present KV goes ({@code past.length + steps} positions)
     * @param logits    where the last position's logits go, {@code [batch, vocab]}
     */
    void run(FloatBuffer embeds, int batch, int steps, LongBuffer mask, LongBuffer positions, KvBlock past,
             KvBlock present, FloatBuffer logits) throws OrtException {
        if (closed.get()) {
            throw new IllegalStateException("decoder is closed");
        }
        List<OnnxTensor> owned = new ArrayList<>(4 * spec.layers() + 4);
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put(INPUTS_EMBEDS, track(owned, OnnxTensor.createTensor(env, embeds, new long[]{batch, steps, spec.hidden()})));
            inputs.put(ATTENTION_MASK, track(owned, OnnxTensor.createTensor(env, mask, new long[]{batch, past.length() + steps})));
            inputs.put(POSITION_IDS, track(owned, OnnxTensor.createTensor(env, positions, new long[]{batch, steps})));
            Map<String, OnnxTensor> outputs = new HashMap<>();
            outputs.put(LOGITS, track(owned, OnnxTensor.createTensor(env, logits, new long[]{batch, spec.vocab()})));
            long[] pastShape = {batch, spec.kvHeads(), past.length(), spec.headDim()};
            long[] presentShape = {batch, spec.kvHeads(), present.length(), spec.headDim()};
            for (int layer = 0; layer < spec.layers(); layer++) {
                inputs.put(pastKey(layer), kv(owned, past.tensors()[2 * layer], pastShape));
                inputs.put(pastValue(layer), kv(owned, past.tensors()[2 * layer + 1], pastShape));
                outputs.put(presentKey(layer), kv(owned, present.tensors()[2 * layer], presentShape));
                outputs.put(presentValue(layer), kv(owned, present.tensors()[2 * layer + 1], presentShape));
            }
            try (OrtSession.Result ignored = session.run(inputs, outputs)) {
                // outputs were written into the pinned buffers
            }
        } finally {
            for (OnnxTensor tensor : owned) {
                tensor.close();
            }
        }
    }

    private OnnxTensor kv(List<OnnxTensor> owned, ByteBuffer buffer, long[] shape) throws OrtException {
        ByteBuffer data = buffer.capacity() == 0 ? ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()) : buffer;
        return track(owned, OnnxTensor.createTensor(env, data, shape, spec.kvType()));
    }

    private static OnnxTensor track(List<OnnxTensor> owned, OnnxTensor tensor) {
        owned.add(tensor);
        return tensor;
    }

    @Override
    public void close() throws OrtException {
        if (closed.compareAndSet(false, true)) {
            session.close();
        }
    }
}
