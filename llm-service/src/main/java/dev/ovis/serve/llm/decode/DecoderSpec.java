package dev.ovis.serve.llm.decode;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.Map;

/**
 * The shapes of an exported decoder, read from the graph itself so the engine cannot disagree
 * with the file it runs: layers (count of {@code past_key_values.{i}.key}), KV heads, head size and
 * KV element type (from those inputs), hidden size ({@code inputs_embeds}) and vocabulary
 * ({@code logits}).
 */
public record DecoderSpec(int layers, int kvHeads, int headDim, int hidden, int vocab, OnnxJavaType kvType) {

    public DecoderSpec {
        if (layers < 1 || kvHeads < 1 || headDim < 1 || hidden < 1 || vocab < 1) {
            throw new IllegalArgumentException("bad decoder dims");
        }
        if (kvType != OnnxJavaType.FLOAT && kvType != OnnxJavaType.FLOAT16) {
            throw new IllegalArgumentException("KV must be float32 or float16: " + kvType);
        }
    }

    /** Reads the spec from an open {@code decoder.onnx} session. */
    public static DecoderSpec of(OrtSession session) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        int layers = 0;
        while (inputs.containsKey(OnnxDecoder.pastKey(layers))) {
            layers++;
        }
        if (layers == 0) {
            throw new IllegalArgumentException("decoder has no past_key_values.0.key input");
        }
        TensorInfo kv = (TensorInfo) inputs.get(OnnxDecoder.pastKey(0)).getInfo();
        TensorInfo embeds = (TensorInfo) inputs.get(OnnxDecoder.INPUTS_EMBEDS).getInfo();
        TensorInfo logits = (TensorInfo) session.getOutputInfo().get(OnnxDecoder.LOGITS).getInfo();
        long[] kvShape = kv.getShape();
        long[] logitsShape = logits.getShape();
        long[] embedsShape = embeds.getShape();
        return new DecoderSpec(layers, Math.toIntExact(kvShape[1]), Math.toIntExact(kvShape[3]),
                Math.toIntExact(embedsShape[embedsShape.length - 1]),
                Math.toIntExact(logitsShape[logitsShape.length - 1]), kv.type);
    }

    /** Bytes of one KV element. */
    public int kvElementBytes() {
        return kvType == OnnxJavaType.FLOAT ? 4 : 2;
    }

    /** Bytes of one position of one sequence in one K (or V) tensor of one layer. */
    public int kvRowBytes() {
        return kvHeads * headDim * kvElementBytes();
    }

    /** KV bytes per token over all layers, K and V: {@code 2 × layers × kvHeads × headDim × element}. */
    public long kvBytesPerToken() {
        return 2L * layers * kvRowBytes();
    }
}
