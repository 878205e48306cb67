package dev.ovis.serve.model;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** A bare batch-1 greedy loop over decoder.onnx with the KV cache, as the references were computed. */
final class GreedyLoop {

    /** Logits of every step (the first is the prefill's) and the tokens fed back. */
    record Outcome(float[] firstLogits, List<Integer> tokens, List<float[]> stepLogits) {
    }

    private GreedyLoop() {
    }

    static Outcome run(OrtSession decoder, ModelManifest m, EmbeddingTable text, float[] prompt, int maxNew)
            throws OrtException {
        return run(decoder, m, text, prompt, maxNew, null);
    }

    /** With {@code forced} tokens the loop feeds those instead of its own choices (teacher forcing). */
    static Outcome run(OrtSession decoder, ModelManifest m, EmbeddingTable text, float[] prompt, int maxNew,
                       List<Integer> forced) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        var llm = m.llm();
        int h = llm.hiddenSize();
        int length = prompt.length / h;
        Set<Integer> stops = Set.copyOf(m.stopIds());
        Map<String, OnnxTensor> past = new HashMap<>();
        List<OnnxTensor> owned = new ArrayList<>();
        for (int i = 0; i < llm.numLayers(); i++) {
            for (String kv : new String[] {"key", "value"}) {
                OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.allocate(0),
                        new long[] {1, llm.numKeyValueHeads(), 0, llm.headDim()});
                owned.add(t);
                past.put("past_key_values." + i + "." + kv, t);
            }
        }
        float[] embeds = prompt;
        int seq = length;
        int total = length;
        float[] first = null;
        List<Integer> tokens = new ArrayList<>();
        List<float[]> steps = new ArrayList<>();
        OrtSession.Result previous = null;
        try {
            while (true) {
                long[] positions = new long[seq];
                for (int i = 0; i < seq; i++) {
                    positions[i] = total - seq + i;
                }
                long[] mask = new long[total];
                java.util.Arrays.fill(mask, 1L);
                Map<String, OnnxTensor> in = new HashMap<>(past);
                try (OnnxTensor e = OnnxTensor.createTensor(env, FloatBuffer.wrap(embeds), new long[] {1, seq, h});
                     OnnxTensor am = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, total});
                     OnnxTensor pos = OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {1, seq})) {
                    in.put("inputs_embeds", e);
                    in.put("attention_mask", am);
                    in.put("position_ids", pos);
                    OrtSession.Result result = decoder.run(in);
                    if (previous != null) {
                        previous.close();
                    }
                    previous = result;
                }
                float[] logits = ((float[][]) previous.get("logits").orElseThrow().getValue())[0];
                if (first == null) {
                    first = logits;
                }
                steps.add(logits);
                int next = forced != null ? forced.get(tokens.size()) : argmax(logits);
                tokens.add(next);
                if ((forced == null && stops.contains(next)) || tokens.size() == maxNew) {
                    return new Outcome(first, tokens, steps);
                }
                for (int i = 0; i < llm.numLayers(); i++) {
                    for (String kv : new String[] {"key", "value"}) {
                        past.put("past_key_values." + i + "." + kv,
                                (OnnxTensor) previous.get("present." + i + "." + kv).orElseThrow());
                    }
                }
                embeds = text.row(next);
                seq = 1;
                total++;
            }
        } finally {
            if (previous != null) {
                previous.close();
            }
            owned.forEach(OnnxTensor::close);
        }
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
