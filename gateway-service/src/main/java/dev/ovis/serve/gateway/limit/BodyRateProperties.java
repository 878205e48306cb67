package dev.ovis.serve.gateway.limit;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How slowly a request body may arrive ({@code ovis.gateway.body-rate.*}; see {@link BodyRate}).
 *
 * @param enabled     whether bodies are timed at all
 * @param minPerSecond the least average rate, counted from the first byte asked for, once {@code grace}
 *                    has passed (8 KB/s: a 50 MB upload may take 100 minutes at that rate, so only a
 *                    client that trickles is cut, not a slow link)
 * @param grace       how long a body may arrive at any rate, for slow starts and small bodies
 * @param deadline    the longest a whole body may take, whatever its rate
 */
@Validated
@ConfigurationProperties("ovis.gateway.body-rate")
public record BodyRateProperties(@DefaultValue("true") boolean enabled,
                                 @DefaultValue("8KB") @NotNull DataSize minPerSecond,
                                 @DefaultValue("10s") @NotNull Duration grace,
                                 @DefaultValue("15m") @NotNull Duration deadline) {
}
