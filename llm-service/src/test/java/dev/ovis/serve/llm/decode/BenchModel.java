package dev.ovis.serve.llm.decode;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.ovis.serve.llm.model.LlmModel;
import dev.ovis.serve.llm.prompt.EmbeddingRows;
import dev.ovis.serve.llm.prompt.PromptTokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * What the benchmark needs of a model: an exported model directory through {@link LlmModel}, or
 * a bare decoder directory ({@code decoder.onnx} + float32 {@code text_embeds.bin}, no
 * {@code model.json}) with the Qwen tokenizer given by {@code -Dbench.tokenizer}.
 */
record BenchModel(String id, int contextLength, Set<Integer> stopIds, int hidden, PromptTokenizer tokenizer,
                  EmbeddingRows textRows, EmbeddingRows indicatorRows, OnnxDecoder decoder, AutoCloseable owner)
        implements AutoCloseable {

    static BenchModel open(Path dir) throws Exception {
        if (Files.exists(dir.resolve("model.json"))) {
            LlmModel m = LlmModel.open(dir, 0);
            return new BenchModel(m.id(), m.contextLength(), m.stopIds(), m.hidden(), m.tokenizer(), m.textRows(),
                    m.indicatorRows(), m.decoder(), m);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OnnxDecoder decoder = new OnnxDecoder(env, env.createSession(dir.resolve("decoder.onnx").toString(), new OrtSession.SessionOptions()));
        int hidden = decoder.spec().hidden();
        FloatBuffer table;
        try (FileChannel channel = FileChannel.open(dir.resolve("text_embeds.bin"))) {
            table = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        }
        PromptTokenizer tokenizer = PromptTokenizer.open(Path.of(System.getProperty("bench.tokenizer", dir.resolve("tokenizer.json").toString())));
        FloatBuffer indicators = ByteBuffer.allocateDirect(5 * hidden * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < 5 * hidden; i++) {
            indicators.put(i, (float) Math.sin(i) * 0.05f);
        }
        AutoCloseable owner = () -> {
            decoder.close();
            tokenizer.close();
        };
        return new BenchModel("decoder-only:" + dir.getFileName(), 32768, Set.of(151645, 151643), hidden, tokenizer,
                rows(table, hidden), rows(indicators, hidden), decoder, owner);
    }

    private static EmbeddingRows rows(FloatBuffer data, int hidden) {
        return new EmbeddingRows() {
            @Override
            public int hidden() {
                return hidden;
            }

            @Override
            public int rows() {
                return data.capacity() / hidden;
            }

            @Override
            public void copyRow(int row, FloatBuffer target) {
                target.put(data.slice(row * hidden, hidden));
            }
        };
    }

    @Override
    public void close() throws Exception {
        owner.close();
    }
}
