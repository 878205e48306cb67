package dev.ovis.serve.gateway.outbox;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the gateway tells that Kafka is down ({@code ovis.gateway.broker-probe.*}), so that new work is
 * refused with 503 instead of being accepted into an outbox nobody can deliver (see {@link BrokerProbe}).
 *
 * @param enabled  whether to probe; off, new work is always accepted
 * @param interval time between probes
 * @param timeout  how long one probe waits for the broker to describe its cluster
 * @param failures consecutive failed probes before the broker counts as down (one slow answer is not
 *                 an outage; three, each allowed two seconds, keep a loaded machine from looking
 *                 like an outage)
 */
@Validated
@ConfigurationProperties("ovis.gateway.broker-probe")
public record BrokerProbeProperties(@DefaultValue("true") boolean enabled,
                                   @DefaultValue("1s") @NotNull Duration interval,
                                   @DefaultValue("2s") @NotNull Duration timeout,
                                   @DefaultValue("3") @Min(1) int failures) {
}
