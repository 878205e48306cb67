package dev.ovis.serve.support.storage;

import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the S3-compatible object store is ({@code ovis.storage.*}). The defaults match a local MinIO.
 *
 * @param endpoint       S3 endpoint URL
 * @param accessKey      access key
 * @param secretKey      secret key
 * @param region         S3 region
 * @param bucket         the bucket for media, frames and embeddings; created at start-up when missing
 * @param startupTimeout how long start-up keeps trying to reach the store (it may still be coming up)
 */
@Validated
@ConfigurationProperties("ovis.storage")
public record StorageProperties(
        @DefaultValue("http://127.0.0.1:9000") @NotBlank String endpoint,
        @DefaultValue("minioadmin") @NotBlank String accessKey,
        @DefaultValue("minioadmin") @NotBlank String secretKey,
        @DefaultValue("us-east-1") @NotBlank String region,
        @DefaultValue("ovis-media") @NotBlank String bucket,
        @DefaultValue("60s") Duration startupTimeout) {

    /** The properties with every default, for code that runs outside Spring. */
    public static StorageProperties defaults() {
        return new StorageProperties("http://127.0.0.1:9000", "minioadmin", "minioadmin", "us-east-1", "ovis-media",
                Duration.ofSeconds(60));
    }

    /** A copy pointing at another endpoint with other credentials (tests, embedded runs). */
    public StorageProperties withEndpoint(String newEndpoint, String newAccessKey, String newSecretKey) {
        return new StorageProperties(newEndpoint, newAccessKey, newSecretKey, region, bucket, startupTimeout);
    }
}
