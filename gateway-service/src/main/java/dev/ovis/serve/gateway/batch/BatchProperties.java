package dev.ovis.serve.gateway.batch;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Batch API and its runner ({@code ovis.gateway.batch.*}).
 *
 * @param pollInterval   how often the runner steps the active batches (also the delay after a restart
 *                       before unfinished batches move on)
 * @param maxLines       most requests in one input file (OpenAI: 50,000)
 * @param maxInFlight    most jobs of one batch submitted and unfinished at once: batch work enters the
 *                       queues in slices so interactive requests are not stuck behind a whole batch
 * @param batchesPerTick most batches stepped per tick by one instance
 * @param prepareTimeout how long preparing one line may take (it may fetch or store media)
 * @param completionWindow how long the only window the API accepts, {@code "24h"}, lasts: a batch not
 *                       finished this long after its creation (database clock) expires. 24 h as OpenAI;
 *                       shorter only to watch expiry happen (tests, demos)
 */
@Validated
@ConfigurationProperties("ovis.gateway.batch")
public record BatchProperties(@DefaultValue("1s") @NotNull Duration pollInterval,
                       @DefaultValue("50000") @Min(1) int maxLines,
                       @DefaultValue("64") @Min(1) @Max(10_000) int maxInFlight,
                       @DefaultValue("20") @Min(1) int batchesPerTick,
                       @DefaultValue("60s") @NotNull Duration prepareTimeout,
                       @DefaultValue("24h") @NotNull Duration completionWindow) {
}
