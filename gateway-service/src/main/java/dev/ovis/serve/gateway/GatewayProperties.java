package dev.ovis.serve.gateway;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Typed configuration of the gateway ({@code ovis.gateway.*}); every default works out of the box.
 *
 * @param instanceId this instance's id: names its stream topic ({@code ovis.stream.v1.<id>}) and is
 *                   the {@code replyTo} of streamed jobs; give every instance its own (e.g. the pod name)
 * @param auth       API keys
 * @param media      upload limits
 * @param jobs       paging and event-stream settings
 * @param outbox     the relay that publishes outbox rows to Kafka
 * @param db         the scheduler that runs blocking JDBC calls off the event loop
 */
@Validated
@ConfigurationProperties("ovis.gateway")
public record GatewayProperties(
        @DefaultValue("gateway-local") @Pattern(regexp = "[A-Za-z0-9_-]{1,100}") String instanceId,
        @DefaultValue @Valid Auth auth,
        @DefaultValue @Valid Media media,
        @DefaultValue @Valid Jobs jobs,
        @DefaultValue @Valid Outbox outbox,
        @DefaultValue @Valid Db db) {

    /**
     * @param keys        API key → tenant
     * @param generateKey with no key configured: generate a random key for tenant {@code default} at
     *                    start-up and log it on a line containing "API key" (a local run), or, when
     *                    {@code false}, refuse to start. Images, compose and Kubernetes set it to
     *                    {@code false}: a key generated per pod would differ on every pod and restart.
     * @param adminKeys   keys that open {@code /actuator/**} (metrics, traces) besides the health
     *                    probes, which are open to all; no tenant key does. Empty: the actuator is
     *                    closed on this gateway (scrape the metrics with an admin key configured)
     */
    public record Auth(Map<String, String> keys, @DefaultValue("true") boolean generateKey, List<String> adminKeys) {
        public Auth {
            keys = keys == null ? Map.of() : Map.copyOf(keys);
            adminKeys = adminKeys == null ? List.of() : List.copyOf(adminKeys);
        }
    }

    /**
     * @param maxBytes largest accepted upload (413 beyond)
     * @param tempDir  where uploads are spooled while hashed, {@code null} = the JVM's temp dir
     */
    public record Media(@DefaultValue("50MB") @NotNull DataSize maxBytes, String tempDir) {
    }

    /**
     * @param defaultPageSize     page size of {@code GET /v1/jobs} without {@code limit}
     * @param maxPageSize         largest {@code limit} accepted
     * @param eventsPollInterval  how often an SSE stream re-reads the row, for events another
     *                            gateway instance consumed (the in-process path is immediate)
     * @param lease               how long a running job is believed alive after its stage's last
     *                            event or heartbeat ({@code ovis.stage.heartbeat-interval}, 10 s);
     *                            past it the reaper dispatches the job again
     * @param queuedLease         the same for a job no stage has taken yet (just accepted, dispatched
     *                            again, or forwarded to its next stage): it may wait behind other
     *                            jobs in Kafka, so this is the longest such a wait may last
     * @param maxAttempts         dispatches of one job, the first included; when the last one's lease
     *                            expires too the job FAILS ("worker lost N times")
     * @param reaperInterval      how often the reaper looks for expired leases
     * @param reaperBatchSize     expired jobs handled per round (the rest wait for the next round)
     */
    public record Jobs(@DefaultValue("20") @Min(1) int defaultPageSize,
                       @DefaultValue("100") @Min(1) @Max(1000) int maxPageSize,
                       @DefaultValue("2s") @NotNull Duration eventsPollInterval,
                       @DefaultValue("60s") @NotNull Duration lease,
                       @DefaultValue("10m") @NotNull Duration queuedLease,
                       @DefaultValue("3") @Min(1) int maxAttempts,
                       @DefaultValue("5s") @NotNull Duration reaperInterval,
                       @DefaultValue("100") @Min(1) int reaperBatchSize) {
    }

    /**
     * @param pollInterval how often the relay looks for unpublished rows (it is also nudged on commit)
     * @param batchSize    rows published per round
     * @param sendTimeout  how long a round waits for the broker's acknowledgements
     */
    public record Outbox(@DefaultValue("1s") @NotNull Duration pollInterval,
                         @DefaultValue("100") @Min(1) int batchSize,
                         @DefaultValue("10s") @NotNull Duration sendTimeout) {
    }

    /**
     * @param threads threads of the JDBC scheduler; matches the connection pool (more threads would
     *                only wait for a connection)
     */
    public record Db(@DefaultValue("10") @Min(1) int threads) {
    }
}
