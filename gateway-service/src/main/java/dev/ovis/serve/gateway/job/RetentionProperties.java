package dev.ovis.serve.gateway.job;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Deletion of bookkeeping rows nobody needs any more ({@code ovis.gateway.retention.*}), in batches, by
 * every instance (deleting is idempotent); {@link RetentionPurge} does it.
 *
 * @param processedEvents keep the ids of applied job events this long: longer than the job-events
 *                        topic keeps records, so no redelivery can outlive its id
 * @param outbox          keep published and given-up outbox rows this long (for inspection)
 * @param media           delete media (row and object) nobody uploaded or named in a request for
 *                        this long; uploads and data URIs would otherwise fill the object store
 * @param interval        how often to purge
 * @param batchSize       rows deleted per statement
 */
@Validated
@ConfigurationProperties("ovis.gateway.retention")
public record RetentionProperties(@DefaultValue("14d") @NotNull Duration processedEvents,
                                  @DefaultValue("7d") @NotNull Duration outbox,
                                  @DefaultValue("30d") @NotNull Duration media,
                                  @DefaultValue("1h") @NotNull Duration interval,
                                  @DefaultValue("10000") @Min(1) int batchSize) {
}
