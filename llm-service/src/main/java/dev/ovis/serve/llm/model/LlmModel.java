package dev.ovis.serve.llm.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.ovis.serve.llm.decode.DecoderSpec;
import dev.ovis.serve.llm.decode.OnnxDecoder;
import dev.ovis.serve.llm.prompt.EmbeddingRows;
import dev.ovis.serve.llm.prompt.PromptTokenizer;
import dev.ovis.serve.model.EmbeddingTable;
import dev.ovis.serve.model.ModelDirectory;
import dev.ovis.serve.model.ModelManifest;
import dev.ovis.serve.model.OnnxRuntimeOptions;
import dev.ovis.serve.model.OnnxSessionFactory;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The loaded model as the llm stage sees it: id and limits from {@code model.json}, the tokenizer,
 * the text and indicator embedding rows and the decoder (CUDA when present, else CPU). Owns all of
 * them; {@link #close()} is idempotent.
 */
public final class LlmModel implements AutoCloseable {

    private final ModelManifest manifest;
    private final PromptTokenizer tokenizer;
    private final EmbeddingTable text;
    private final EmbeddingTable indicators;
    private final OnnxDecoder decoder;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LlmModel(ModelManifest manifest, PromptTokenizer tokenizer, EmbeddingTable text, EmbeddingTable indicators,
                     OnnxDecoder decoder) {
        this.manifest = manifest;
        this.tokenizer = tokenizer;
        this.text = text;
        this.indicators = indicators;
        this.decoder = decoder;
    }

    /**
     * Opens a model directory (checksums verified by model-runtime) and checks that the decoder
     * graph has the dims the manifest declares.
     *
     * @param threads ORT intra-op threads, 0 = one per core
     */
    public static LlmModel open(Path dir, int threads) throws IOException, OrtException {
        ModelDirectory directory = ModelDirectory.open(dir);
        ModelManifest manifest = directory.manifest();
        OnnxSessionFactory sessions = new OnnxSessionFactory(new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.AUTO, 0, threads));
        // What is opened is closed again when a later part fails: a model directory that fails
        // half-way (a bad tokenizer, a truncated table) must not leave gigabytes of native memory.
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            OnnxDecoder decoder = add(opened, new OnnxDecoder(OrtEnvironment.getEnvironment(), sessions.open(directory.decoderGraph())));
            DecoderSpec spec = decoder.spec();
            ModelManifest.Llm llm = manifest.llm();
            if (spec.hidden() != llm.hiddenSize() || spec.layers() != llm.numLayers() || spec.kvHeads() != llm.numKeyValueHeads()
                    || spec.headDim() != llm.headDim()) {
                throw new IOException(directory.decoderGraph() + " has dims " + spec + " but model.json declares " + llm);
            }
            PromptTokenizer tokenizer = add(opened, PromptTokenizer.open(directory.tokenizerJson()));
            EmbeddingTable text = add(opened, directory.openTextEmbeddings());
            EmbeddingTable indicators = add(opened, directory.openIndicatorEmbeddings());
            return new LlmModel(manifest, tokenizer, text, indicators, decoder);
        } catch (IOException | OrtException | RuntimeException e) {
            for (AutoCloseable resource : opened.reversed()) {
                try {
                    resource.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    /** The model id clients name ({@code model.json} name). */
    public String id() {
        return manifest.name();
    }

    public int contextLength() {
        return manifest.contextLength();
    }

    public Set<Integer> stopIds() {
        return Set.copyOf(manifest.stopIds());
    }

    public int hidden() {
        return manifest.llm().hiddenSize();
    }

    /** What requests may contain ({@code ModelInfo} capabilities). */
    public List<String> capabilities() {
        return List.of("text", "image", "video");
    }

    /** Whether the weights are random (an exporter {@code --random-init} build). */
    public boolean randomWeights() {
        return "random-init".equals(manifest.source().get("kind"));
    }

    /** e.g. {@code ovis2-1b}, or {@code ovis2-tiny-random} for a random-weight build. */
    public String family() {
        Object size = manifest.source().get("size");
        String base = "ovis2" + (size != null ? "-" + size : "");
        return randomWeights() ? base + "-random" : base;
    }

    public PromptTokenizer tokenizer() {
        return tokenizer;
    }

    public OnnxDecoder decoder() {
        return decoder;
    }

    public EmbeddingRows textRows() {
        return rows(text);
    }

    public EmbeddingRows indicatorRows() {
        return rows(indicators);
    }

    private static EmbeddingRows rows(EmbeddingTable table) {
        return new EmbeddingRows() {
            private final ThreadLocal<float[]> scratch = ThreadLocal.withInitial(() -> new float[table.cols()]);

            @Override
            public int hidden() {
                return table.cols();
            }

            @Override
            public int rows() {
                return Math.toIntExact(table.rows());
            }

            @Override
            public void copyRow(int row, FloatBuffer target) {
                float[] row32 = scratch.get();
                table.copyRow(row, row32, 0);
                target.put(row32);
            }
        };
    }

    @Override
    public void close() throws OrtException {
        if (closed.compareAndSet(false, true)) {
            tokenizer.close();
            text.close();
            indicators.close();
            decoder.close();
        }
    }
}
