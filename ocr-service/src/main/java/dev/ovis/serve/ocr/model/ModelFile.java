package dev.ovis.serve.ocr.model;

/**
 * Where a model or dictionary file lives and the sha256 it must have.
 *
 * @param location a Spring resource location: {@code classpath:models/...} (the pinned Maven
 *                 artifact) or {@code file:/path/...} (a model a user adds)
 * @param sha256   lowercase hex SHA-256; blank skips the check (and is logged as a warning)
 */
public record ModelFile(String location, String sha256) {

    public ModelFile {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("a model file needs a location");
        }
        sha256 = sha256 == null ? "" : sha256.trim().toLowerCase(java.util.Locale.ROOT);
    }
}
