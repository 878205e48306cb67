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
 * @param json       limits on every JSON request body, enforced while it is parsed
 * @param retention  how long bookkeeping rows are kept
 */
@Validated
@ConfigurationProperties("ovis.gateway")
public record GatewayProperties(
        @DefaultValue("gateway-local") @Pattern(regexp = "[A-Za-z0-9_-]{1,100}") String instanceId,
        @DefaultValue @Valid Auth auth,
        @DefaultValue @Valid Media media,
        @DefaultValue @Valid Jobs jobs,
        @DefaultValue @Valid Outbox outbox,
        @DefaultValue @Valid Db db,
        @DefaultValue @Valid Json json,
        @DefaultValue @Valid Retention retention) {

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
     * @param eventsPollInterval  how often an SSE stream re-reads the row anyway: a safety net only,
     *                            since changes are pushed (in-process, and from other instances by
     *                            PostgreSQL's notifications, {@code job-notifications.*}); it bounds how
     *                            long a stream can stay stale when a notification was lost
     * @param maxRequestBytes     largest {@code POST /v1/jobs} body (it names media by id, so it is small); 413 beyond
     * @param maxActivePerKind    jobs of one kind (chat, OCR, key frames: one first stage each) queued or running in
     *                            the whole suite, beyond which a new one is refused with 503 and Retry-After
     * @param maxActivePerTenant  jobs one tenant may have queued or running, beyond which 429 with Retry-After
     * @param activeLimits        per-tenant exceptions to {@code maxActivePerTenant}
     * @param retryAfter          the Retry-After of those refusals
     * @param maxWatchersPerTenant event streams ({@code /v1/jobs/{id}/events}) one tenant may hold open on one
     *                            instance (429 beyond)
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
     * @param maxActiveBatchPerKind batch jobs (batch lines, pipeline records) of one kind queued or running in the
     *                            whole suite, beyond which the next batch line waits (503 to the runner, which
     *                            tries again on a later tick): batch work holds only part of the stages, the
     *                            rest stays free for interactive requests (docs/batch.md, Priority)
     * @param eventMaxAttempts    attempts to apply one job event that PostgreSQL rejects (anything but a
     *                            lost connection, which is retried for as long as it lasts); after the last the
     *                            event goes to {@code ovis.dead-letters.v1} and its job FAILS with the reason
     */
    public record Jobs(@DefaultValue("20") @Min(1) int defaultPageSize,
                       @DefaultValue("100") @Min(1) @Max(1000) int maxPageSize,
                       @DefaultValue("30s") @NotNull Duration eventsPollInterval,
                       @DefaultValue("1MB") @NotNull DataSize maxRequestBytes,
                       @DefaultValue("10000") @Min(1) int maxActivePerKind,
                       @DefaultValue("1000") @Min(1) int maxActivePerTenant,
                       Map<String, Integer> activeLimits,
                       @DefaultValue("5s") @NotNull Duration retryAfter,
                       @DefaultValue("100") @Min(1) int maxWatchersPerTenant,
                       @DefaultValue("60s") @NotNull Duration lease,
                       @DefaultValue("10m") @NotNull Duration queuedLease,
                       @DefaultValue("3") @Min(1) int maxAttempts,
                       @DefaultValue("5s") @NotNull Duration reaperInterval,
                       @DefaultValue("100") @Min(1) int reaperBatchSize,
                       @DefaultValue("8") @Min(1) int maxActiveBatchPerKind,
                       @DefaultValue("5") @Min(1) int eventMaxAttempts) {

        public Jobs {
            activeLimits = activeLimits == null ? Map.of() : Map.copyOf(activeLimits);
        }

        /** The most jobs {@code tenant} may have in flight. */
        public int maxActive(String tenant) {
            return activeLimits.getOrDefault(tenant, maxActivePerTenant);
        }
    }

    /**
     * @param pollInterval how often the relay looks for unpublished rows (it is also nudged on commit)
     * @param batchSize    rows published per round
     * @param sendTimeout  how long a round waits for the broker's acknowledgements
     * @param maxAttempts  publishing attempts of one row before its job fails with the reason and the
     *                     row leaves the batch (a row the broker refuses outright fails at once)
     * @param backoff      wait before the second attempt; doubled for every later one
     * @param maxBackoff   longest wait between attempts
     * @param maxMessageBytes largest envelope accepted into the outbox, just below the producer's
     *                     {@code max.request.size} ({@code ovis.kafka.max-request-size}, 1 MiB) to leave
     *                     room for the record's key and headers; a job whose stage request is larger is
     *                     refused at submit (413), so its client gets an answer at once
     */
    public record Outbox(@DefaultValue("1s") @NotNull Duration pollInterval,
                         @DefaultValue("100") @Min(1) int batchSize,
                         @DefaultValue("10s") @NotNull Duration sendTimeout,
                         @DefaultValue("8") @Min(1) int maxAttempts,
                         @DefaultValue("1s") @NotNull Duration backoff,
                         @DefaultValue("5m") @NotNull Duration maxBackoff,
                         @DefaultValue("960KB") @NotNull DataSize maxMessageBytes) {
    }

    /**
     * @param threads threads of the JDBC scheduler; matches the connection pool (more threads would
     *                only wait for a connection)
     */
    public record Db(@DefaultValue("10") @Min(1) int threads) {
    }

    /**
     * Limits checked by the JSON parser itself, so a hostile body is refused while it is read, before
     * it becomes a large tree (a flat array of millions of empty arrays is small on the wire and huge
     * in memory). A body's size is bounded by its endpoint's own {@code max-request-bytes}.
     *
     * @param maxDepth        deepest nesting of arrays and objects (400 beyond)
     * @param maxTokens       most JSON tokens (each value, bracket and member name is one; 413 beyond)
     * @param maxNumberLength longest number literal in characters (400 beyond)
     * @param maxNameLength   longest member name in characters (400 beyond)
     */
    public record Json(@DefaultValue("64") @Min(4) int maxDepth,
                       @DefaultValue("200000") @Min(100) long maxTokens,
                       @DefaultValue("100") @Min(10) int maxNumberLength,
                       @DefaultValue("1000") @Min(10) int maxNameLength) {
    }

    /**
     * Deletion of bookkeeping rows nobody needs any more, in batches, by every instance (deleting is
     * idempotent).
     *
     * @param processedEvents keep the ids of applied job events this long: longer than the job-events
     *                        topic keeps records, so no redelivery can outlive its id
     * @param outbox          keep published and given-up outbox rows this long (for inspection)
     * @param media           delete media (row and object) nobody uploaded or named in a request for
     *                        this long; uploads and data URIs would otherwise fill the object store
     * @param interval        how often to purge
     * @param batchSize       rows deleted per statement
     */
    public record Retention(@DefaultValue("14d") @NotNull Duration processedEvents,
                            @DefaultValue("7d") @NotNull Duration outbox,
                            @DefaultValue("30d") @NotNull Duration media,
                            @DefaultValue("1h") @NotNull Duration interval,
                            @DefaultValue("10000") @Min(1) int batchSize) {
    }
}
