package dev.ovis.serve.vision.cache;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The visual-embedding cache.
 *
 * @param enabled  look up and store embeddings by (model, image sha256, preprocessing parameters)
 * @param entries  recent keys this instance remembers (in-memory LRU; each entry is a few hundred bytes)
 * @param maxBytes object-store bytes this instance's cache may hold; beyond it the least recently used
 *                 embeddings it wrote are deleted from the store (2 GiB ≈ 900 images at max_partition 9 for a
 *                 fp16 2B model). Objects left by earlier runs expire by the bucket's lifecycle rule (docs/vision.md).
 */
@Validated
@ConfigurationProperties("ovis.vision.cache")
public record CacheProperties(@DefaultValue("true") boolean enabled,
                              @DefaultValue("10000") @Min(1) int entries,
                              @DefaultValue("2147483648") @Min(1) long maxBytes) {

    public static CacheProperties defaults() {
        return new CacheProperties(true, 10_000, 2L << 30);
    }
}
