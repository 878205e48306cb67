package dev.ovis.serve.gateway.job;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How job changes are pushed to event streams across gateway instances
 * ({@code ovis.gateway.job-notifications.*}, see {@link JobNotifications}).
 *
 * @param enabled             listen for changes; off, a stream sees changes applied by another
 *                            instance only at its safety re-read ({@code jobs.events-poll-interval})
 * @param listenWait          longest single wait for a notification: bounds how long stopping takes
 * @param checkInterval       after this long without a notification the connection is checked
 *                            (a server that vanished without closing it would otherwise look quiet)
 * @param reconnectBackoff    wait before connecting again after the connection was lost; doubled
 *                            for every failed attempt
 * @param maxReconnectBackoff longest wait between attempts (while PostgreSQL restarts)
 */
@Validated
@ConfigurationProperties("ovis.gateway.job-notifications")
public record JobNotificationsProperties(@DefaultValue("true") boolean enabled,
                                         @DefaultValue("1s") @NotNull Duration listenWait,
                                         @DefaultValue("30s") @NotNull Duration checkInterval,
                                         @DefaultValue("500ms") @NotNull Duration reconnectBackoff,
                                         @DefaultValue("10s") @NotNull Duration maxReconnectBackoff) {
}
