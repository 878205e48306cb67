package dev.ovis.serve.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Consistency rules for {@code model.json}; each failure names the manifest and the offending field. */
final class ManifestChecks {

    private ManifestChecks() {
    }

    static void check(Path file, ModelManifest m) throws InvalidModelException {
        if (!ModelManifest.FORMAT.equals(m.format())) {
            throw new InvalidModelException(file, "format is '" + m.format() + "', expected '"
                    + ModelManifest.FORMAT + "' (not an Ovis2 ONNX export)");
        }
        if (m.formatVersion() != ModelManifest.FORMAT_VERSION) {
            throw new InvalidModelException(file, "format_version " + m.formatVersion() + " is not supported (this build reads "
                    + ModelManifest.FORMAT_VERSION + "); re-export the model or upgrade");
        }
        require(file, m.vision(), "vision");
        require(file, m.llm(), "llm");
        require(file, m.preprocess(), "preprocess");
        require(file, m.prompt(), "prompt");
        require(file, m.specialIds(), "special_ids");
        require(file, m.stopIds(), "stop_ids");
        require(file, m.tokenizer(), "tokenizer");
        require(file, m.textEmbeddings(), "text_embeddings");
        require(file, m.indicatorEmbeddings(), "indicator_embeddings");
        require(file, m.visionGraph(), "vision_graph");
        require(file, m.decoderGraph(), "decoder_graph");
        require(file, m.files(), "files");
        var v = m.vision();
        var l = m.llm();
        positive(file, "vision", v.imageSize(), v.patchSize(), v.hiddenSize(), v.numLayers(), v.numHeads(),
                v.hiddenStride(), v.tokensPerCrop(), v.visualVocabSize());
        positive(file, "llm", l.hiddenSize(), l.numLayers(), l.numAttentionHeads(), l.numKeyValueHeads(),
                l.headDim(), l.vocabSize());
        int side = v.imageSize() / v.patchSize() / v.hiddenStride();
        if (side * side != v.tokensPerCrop()) {
            throw new InvalidModelException(file, "vision.tokens_per_crop " + v.tokensPerCrop() + " does not match "
                    + "image_size / patch_size / hidden_stride squared (" + side * side + ")");
        }
        if (l.numAttentionHeads() % l.numKeyValueHeads() != 0) {
            throw new InvalidModelException(file, "llm.num_attention_heads must be a multiple of num_key_value_heads");
        }
        if (m.contextLength() <= 0) {
            throw new InvalidModelException(file, "context_length must be positive");
        }
        table(file, "text_embeddings", m.textEmbeddings(), l.vocabSize(), l.hiddenSize());
        table(file, "indicator_embeddings", m.indicatorEmbeddings(), 5, l.hiddenSize());
        var ids = m.specialIds();
        for (int id : List.of(ids.endoftext(), ids.imStart(), ids.imEnd(), ids.pad())) {
            tokenId(file, "special_ids", id, l.vocabSize());
        }
        if (m.stopIds().isEmpty()) {
            throw new InvalidModelException(file, "stop_ids is empty");
        }
        for (int id : m.stopIds()) {
            tokenId(file, "stop_ids", id, l.vocabSize());
        }
        if (m.generation() != null) {
            generation(file, m, l.vocabSize());
        }
        if (m.prompt().indicatorIds() == null || m.prompt().indicatorIds().size() != 5) {
            throw new InvalidModelException(file, "prompt.indicator_ids must list 5 ids");
        }
        Set<String> listed = new HashSet<>();
        for (var f : m.files()) {
            if (f == null || f.path() == null || f.sha256() == null || f.size() < 0) {
                throw new InvalidModelException(file, "files: every entry needs path, size and sha256");
            }
            listed.add(f.path());
        }
        for (String needed : List.of(m.visionGraph().file(), m.decoderGraph().file(), m.tokenizer().file(),
                m.textEmbeddings().file(), m.indicatorEmbeddings().file())) {
            if (!listed.contains(needed)) {
                throw new InvalidModelException(file, "files does not list '" + needed + "'");
            }
        }
    }

    /** The optional {@code generation} object: eos ids in the vocabulary and among the stop ids. */
    private static void generation(Path file, ModelManifest m, int vocab) throws InvalidModelException {
        var g = m.generation();
        if (g.eosTokenIds() == null || g.eosTokenIds().isEmpty()) {
            throw new InvalidModelException(file, "generation.eos_token_ids is missing or empty");
        }
        for (int id : g.eosTokenIds()) {
            tokenId(file, "generation.eos_token_ids", id, vocab);
            if (!m.stopIds().contains(id)) {
                throw new InvalidModelException(file, "generation.eos_token_ids has " + id + ", which stop_ids "
                        + m.stopIds() + " lacks");
            }
        }
        if (g.padTokenId() != null) {
            tokenId(file, "generation.pad_token_id", g.padTokenId(), vocab);
        }
    }

    /** Table files must hold exactly rows x cols elements of their dtype. */
    static void checkTableSizes(Path root, ModelManifest m) throws IOException {
        for (var t : List.of(m.textEmbeddings(), m.indicatorEmbeddings())) {
            Path p = root.resolve(t.file());
            long expected = t.rows() * t.cols() * EmbeddingTable.Dtype.of(p, t.dtype()).bytes();
            if (Files.size(p) != expected) {
                throw new InvalidModelException(p, "holds " + Files.size(p) + " bytes, expected rows x cols x element size = "
                        + expected);
            }
        }
    }

    private static void require(Path file, Object value, String field) throws InvalidModelException {
        if (Objects.isNull(value)) {
            throw new InvalidModelException(file, "missing '" + field + "'");
        }
    }

    private static void positive(Path file, String section, int... values) throws InvalidModelException {
        for (int value : values) {
            if (value <= 0) {
                throw new InvalidModelException(file, section + ": dimensions must be positive, found " + value);
            }
        }
    }

    private static void table(Path file, String field, ModelManifest.Table t, long rows, int cols)
            throws InvalidModelException {
        if (t.file() == null || t.rows() != rows || t.cols() != cols) {
            throw new InvalidModelException(file, field + " must be a " + rows + " x " + cols + " table, found "
                    + t.rows() + " x " + t.cols());
        }
        EmbeddingTable.Dtype.of(file, t.dtype());
    }

    private static void tokenId(Path file, String field, int id, int vocab) throws InvalidModelException {
        if (id < 0 || id >= vocab) {
            throw new InvalidModelException(file, field + ": token id " + id + " outside the vocabulary [0, " + vocab + ")");
        }
    }
}
