package dev.ovis.serve.model;

import java.util.List;
import java.util.Map;

/**
 * Everything {@code model.json} says about an exported Ovis2 model directory: architecture dims,
 * preprocessing constants, prompt pieces, special and stop ids, embedding tables, graphs and the
 * checksummed file list. Written by {@code tools/exporter}; the format is in {@code docs/exporter.md}.
 * Obtain it validated through {@link ModelDirectory#open}.
 */
public record ModelManifest(
        String format,
        int formatVersion,
        String name,
        Map<String, Object> source,
        String precision,
        int contextLength,
        Vision vision,
        Llm llm,
        Preprocess preprocess,
        Prompt prompt,
        SpecialIds specialIds,
        List<Integer> stopIds,
        TokenizerFile tokenizer,
        Table textEmbeddings,
        Table indicatorEmbeddings,
        Graph visionGraph,
        Graph decoderGraph,
        List<FileEntry> files,
        Generation generation,
        ChatTemplate chatTemplate) {

    /** The only {@code format} value this library reads. */
    public static final String FORMAT = "ovis2-onnx";
    /** The {@code format_version} this library reads. */
    public static final int FORMAT_VERSION = 1;

    /** AIMv2 visual tokenizer dims (ovis2.md §1, §3). */
    public record Vision(int imageSize, int patchSize, int hiddenSize, int intermediateSize, int numLayers,
                         int numHeads, int headDim, double rmsNormEps, int hiddenStride, int tokensPerCrop,
                         int visualVocabSize) {
    }

    /** Qwen2.5 decoder dims (ovis2.md §6). */
    public record Llm(int hiddenSize, int numLayers, int numAttentionHeads, int numKeyValueHeads, int headDim,
                      int intermediateSize, int vocabSize, double rmsNormEps, double ropeTheta,
                      boolean tieWordEmbeddings) {
    }

    /** Image preprocessing constants (ovis2.md §2). */
    public record Preprocess(int imageSize, String resample, double rescaleFactor, List<Double> imageMean,
                             List<Double> imageStd, double coveringThreshold, int maxPartitionSingleImage,
                             int maxPartitionMultiImage, int maxPartitionVideo) {
    }

    /** Prompt template pieces and the symbolic placeholder ids (ovis2.md §2.6, §5.1). */
    public record Prompt(String systemPrefix, String defaultSystemPrompt, String userPrefix, String assistantPrefix,
                         String turnEnd, String imageToken, int imageTokenId, int imageAtomId,
                         List<Integer> indicatorIds) {
    }

    /** Token ids of the chat special tokens in {@code tokenizer.json}. */
    public record SpecialIds(int endoftext, int imStart, int imEnd, int pad) {
    }

    /** The Hugging Face {@code tokenizer.json} and where it came from. */
    public record TokenizerFile(String file, String kind) {
    }

    /** A raw little-endian row-major embedding table of {@code rows x cols} elements of {@code dtype}. */
    public record Table(String file, String dtype, long rows, int cols) {
    }

    /** An ONNX graph; {@code ioDtype} is the element type of its float inputs and outputs. */
    public record Graph(String file, String precision, String ioDtype, int opset, String logits) {
    }

    /** A file of the directory with its size in bytes and lowercase hex sha256. */
    public record FileEntry(String path, long size, String sha256) {
    }

    /**
     * The checkpoint's {@code generation_config.json} as exported (null when it had none, and for
     * random-init models): its eos ids (already part of {@link #stopIds()}), pad id and sampling
     * defaults. The sampling values are the checkpoint authors' suggestion, not the reference
     * decoding (greedy, ovis2.md §5.2); absent values are null.
     */
    public record Generation(String source, List<Integer> eosTokenIds, Integer padTokenId, Boolean doSample,
                             Double temperature, Double topP, Integer topK, Double repetitionPenalty,
                             Integer maxNewTokens) {
    }

    /**
     * The checkpoint's chat template (a Jinja text) and the file it came from; recorded for reference,
     * the serving prompt follows {@link #prompt()}. Null when the checkpoint had none.
     */
    public record ChatTemplate(String source, String template) {
    }
}
