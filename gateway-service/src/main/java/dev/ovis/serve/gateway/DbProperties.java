package dev.ovis.serve.gateway;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The scheduler that runs blocking JDBC calls off the event loop ({@code ovis.gateway.db.*}).
 *
 * <p>In the gateway's root package, not a feature's: {@link BlockingSchedulers}, which reads it, serves
 * every feature that calls JDBC (jobs, media, files, batches).
 *
 * @param threads threads of the JDBC scheduler; matches the connection pool (more threads would
 *                only wait for a connection)
 */
@Validated
@ConfigurationProperties("ovis.gateway.db")
public record DbProperties(@DefaultValue("10") @Min(1) int threads) {
}
