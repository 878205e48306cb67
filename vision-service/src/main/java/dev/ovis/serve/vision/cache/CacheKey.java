package dev.ovis.serve.vision.cache;

import java.util.Locale;
import java.util.Objects;

/**
 * What makes two visual-embedding results interchangeable: the model, the image bytes (sha256) and
 * every preprocessing parameter that changes the pixels. Scoped by tenant, so one tenant can never
 * learn from a cache hit that another uploaded the same image.
 *
 * @param tenant       owner of the job
 * @param modelId      the vision model's cache id (name and weights hash)
 * @param imageSha256  sha256 of the image file
 * @param maxPartition Ovis2 max_partition (1–12)
 * @param orientation  whether EXIF orientation was applied
 */
public record CacheKey(String tenant, String modelId, String imageSha256, int maxPartition, boolean orientation) {

    /** Bump when preprocessing changes what it produces, so old entries stop matching. */
    static final String PREPROCESSING_VERSION = "pp1";

    public CacheKey {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(imageSha256, "imageSha256");
    }

    /** The object key of the tensor; its sidecar (the {@code VisualEmbeddings} as JSON) adds {@code .json}. */
    public String objectKey(String dtype) {
        return safe(tenant) + "/embeddings/" + safe(modelId) + "/" + imageSha256 + "/" + PREPROCESSING_VERSION
                + "-mp" + maxPartition + (orientation ? "-exif" : "-raw") + "." + ("float16".equals(dtype) ? "f16" : "f32");
    }

    private static String safe(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._@-]", "_");
    }
}
