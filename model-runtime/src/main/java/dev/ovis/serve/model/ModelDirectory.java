package dev.ovis.serve.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * An exported Ovis2 model directory, opened and verified: {@code model.json} parsed and checked for
 * consistency, every listed file present with the recorded size and (by default) sha256. Services open it
 * once at start-up so that an unknown or corrupt model fails there, with a message naming the file.
 */
public final class ModelDirectory {

    /** The manifest's file name inside a model directory. */
    public static final String MANIFEST = "model.json";

    /** How much of each file {@link #open(Path, Verification)} checks. */
    public enum Verification {
        /** Size and sha256 of every file (reads every byte once). */
        CHECKSUMS,
        /** Sizes only: for very large models when the files are known to be intact. */
        SIZES
    }

    private static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final Path root;
    private final ModelManifest manifest;

    private ModelDirectory(Path root, ModelManifest manifest) {
        this.root = root;
        this.manifest = manifest;
    }

    /** Opens {@code dir}, verifying sizes and sha256 checksums of every file. */
    public static ModelDirectory open(Path dir) throws IOException {
        return open(dir, Verification.CHECKSUMS);
    }

    public static ModelDirectory open(Path dir, Verification verification) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new InvalidModelException(root, "not a model directory (does not exist or is not a directory)");
        }
        Path manifestFile = root.resolve(MANIFEST);
        ModelManifest manifest;
        try {
            manifest = JSON.readValue(Files.readAllBytes(manifestFile), ModelManifest.class);
        } catch (NoSuchFileException e) {
            throw new InvalidModelException(manifestFile, "missing: not an exported Ovis2 model directory");
        } catch (JacksonException e) {
            throw new InvalidModelException(manifestFile, "unreadable JSON: " + e.getOriginalMessage(), e);
        }
        if (manifest == null) {
            throw new InvalidModelException(manifestFile, "empty manifest");
        }
        ManifestChecks.check(manifestFile, manifest);
        for (ModelManifest.FileEntry entry : manifest.files()) {
            verify(root, entry, verification);
        }
        ManifestChecks.checkTableSizes(root, manifest);
        return new ModelDirectory(root, manifest);
    }

    private static void verify(Path root, ModelManifest.FileEntry entry, Verification verification)
            throws IOException {
        Path file = root.resolve(entry.path()).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new InvalidModelException(root.resolve(MANIFEST), "file entry escapes the directory: " + entry.path());
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidModelException(file, "missing (listed in " + MANIFEST + ")");
        }
        long size = Files.size(file);
        if (size != entry.size()) {
            throw new InvalidModelException(file, "size " + size + " bytes, " + MANIFEST + " says " + entry.size());
        }
        if (verification == Verification.CHECKSUMS) {
            String actual = sha256(file);
            if (!actual.equalsIgnoreCase(entry.sha256())) {
                throw new InvalidModelException(file, "sha256 mismatch: file has " + actual + ", " + MANIFEST
                        + " says " + entry.sha256() + " (corrupt or replaced file)");
            }
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The directory, absolute. */
    public Path root() {
        return root;
    }

    public ModelManifest manifest() {
        return manifest;
    }

    /** A file of the directory by its manifest-relative name. */
    public Path resolve(String file) {
        return root.resolve(file);
    }

    public Path visionGraph() {
        return resolve(manifest.visionGraph().file());
    }

    public Path decoderGraph() {
        return resolve(manifest.decoderGraph().file());
    }

    public Path tokenizerJson() {
        return resolve(manifest.tokenizer().file());
    }

    /** Memory-maps {@code text_embeds.bin}; the caller closes the table. */
    public EmbeddingTable openTextEmbeddings() throws IOException {
        return EmbeddingTable.open(resolve(manifest.textEmbeddings().file()), manifest.textEmbeddings());
    }

    /** Memory-maps {@code indicator_embeds.bin} (rows for ids -301 … -305, in that order); the caller closes it. */
    public EmbeddingTable openIndicatorEmbeddings() throws IOException {
        return EmbeddingTable.open(resolve(manifest.indicatorEmbeddings().file()), manifest.indicatorEmbeddings());
    }

    @Override
    public String toString() {
        return "ModelDirectory[" + manifest.name() + " at " + root + "]";
    }
}
