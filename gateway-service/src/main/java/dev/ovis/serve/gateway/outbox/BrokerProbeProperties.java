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
 * @param enabled         whether to probe; off, new work is always accepted
 * @param interval        time between describe-cluster probes
 * @param timeout         how long one describe waits for the broker
 * @param failures        consecutive failed describes before the broker counts as down (one slow answer
 *                        is not an outage; three, each allowed two seconds, keep a loaded machine from
 *                        looking like an outage)
 * @param connectInterval time between connect checks: when no bootstrap address accepts a TCP
 *                        connection the broker is down at once (the kernel answers a connect, so load
 *                        does not fail it)
 * @param connectTimeout  how long one connect may take before that address counts as not answering
 */
@Validated
@ConfigurationProperties("ovis.gateway.broker-probe")
public record BrokerProbeProperties(@DefaultValue("true") boolean enabled,
                                   @DefaultValue("1s") @NotNull Duration interval,
                                   @DefaultValue("2s") @NotNull Duration timeout,
                                   @DefaultValue("3") @Min(1) int failures,
                                   @DefaultValue("250ms") @NotNull Duration connectInterval,
                                   @DefaultValue("500ms") @NotNull Duration connectTimeout) {
}
