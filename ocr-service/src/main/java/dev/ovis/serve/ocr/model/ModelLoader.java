package dev.ovis.serve.ocr.model;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * Reads model files and refuses any whose sha256 differs from the pinned one, so a changed
 * artifact or a swapped file fails at start-up naming the file, never silently at inference.
 */
public final class ModelLoader {

    private static final Logger log = LoggerFactory.getLogger(ModelLoader.class);
    private static final long MAX_MODEL_BYTES = 512L * 1024 * 1024;

    private final ResourceLoader resources;

    public ModelLoader(ResourceLoader resources) {
        this.resources = resources;
    }

    public ModelLoader() {
        this(new DefaultResourceLoader(ModelLoader.class.getClassLoader()));
    }

    /** The verified bytes of a file. */
    public byte[] read(ModelFile file) throws IOException {
        Resource resource = resources.getResource(file.location());
        if (!resource.exists()) {
            throw new IOException("model file not found: " + file.location());
        }
        byte[] bytes;
        try (InputStream in = resource.getInputStream()) {
            bytes = in.readNBytes((int) Math.min(MAX_MODEL_BYTES, Integer.MAX_VALUE - 8));
        }
        String actual = sha256(bytes);
        if (file.sha256().isEmpty()) {
            log.warn("no sha256 pinned for {} (actual {})", file.location(), actual);
        } else if (!file.sha256().equals(actual)) {
            throw new IOException("sha256 mismatch for " + file.location() + ": expected " + file.sha256()
                    + ", found " + actual);
        }
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
