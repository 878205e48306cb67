package dev.ovis.serve.gateway.job;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Paging, event streams, admission limits and leases of jobs ({@code ovis.gateway.jobs.*}).
 *
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
@Validated
@ConfigurationProperties("ovis.gateway.jobs")
public record JobsProperties(@DefaultValue("20") @Min(1) int defaultPageSize,
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

    public JobsProperties {
        activeLimits = activeLimits == null ? Map.of() : Map.copyOf(activeLimits);
    }

    /** The most jobs {@code tenant} may have in flight. */
    public int maxActive(String tenant) {
        return activeLimits.getOrDefault(tenant, maxActivePerTenant);
    }
}
