package dev.ovis.serve.gateway.database;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the gateway tells at once that PostgreSQL is gone ({@code ovis.gateway.database-probe.*}; see
 * {@link DatabaseProbe}).
 *
 * @param enabled        whether to probe; off, a request waits for a connection up to Hikari's
 *                       {@code connection-timeout} (2 s) before its 503
 * @param interval       time between connect checks
 * @param connectTimeout how long one connect may take before that address counts as not answering
 */
@Validated
@ConfigurationProperties("ovis.gateway.database-probe")
public record DatabaseProbeProperties(@DefaultValue("true") boolean enabled,
                                      @DefaultValue("250ms") @NotNull Duration interval,
                                      @DefaultValue("500ms") @NotNull Duration connectTimeout) {
}
