package dev.ovis.serve.gateway.files;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The Files API ({@code ovis.gateway.files.*}).
 *
 * @param maxBytes largest upload (413 beyond); OpenAI's batch input limit is 200 MB
 * @param tempDir  where uploads are spooled while hashed, {@code null} = the JVM's temp dir
 * @param batchExpiresAfter expiry of a {@code purpose=batch} upload that names no {@code expires_after}
 *                 (OpenAI: 30 days); {@code 0s} = kept until deleted
 * @param purgeInterval how often expired files are removed from the object store and the table
 * @param purgeBatchSize expired files removed per round at most (the rest wait for the next round)
 */
@Validated
@ConfigurationProperties("ovis.gateway.files")
public record FilesProperties(@DefaultValue("200MB") @NotNull DataSize maxBytes, String tempDir,
                              @DefaultValue("30d") @NotNull Duration batchExpiresAfter,
                              @DefaultValue("1m") @NotNull Duration purgeInterval,
                              @DefaultValue("100") @Min(1) int purgeBatchSize) {
}
