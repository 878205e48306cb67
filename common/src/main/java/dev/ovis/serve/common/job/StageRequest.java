package dev.ovis.serve.common.job;

import java.util.Objects;

/**
 * The payload on every {@code ovis.<stage>.requests.v1} topic: one job, fully resolved (every
 * media item already in the object store), addressed to {@code stage}.
 *
 * @param jobId        the job id (also the envelope subject)
 * @param tenant       the tenant that owns the job; stages write objects under this tenant's prefix
 * @param route        the whole route of the job
 * @param stage        the stage this request is for (must be on the route)
 * @param replyTo      gateway instance id whose stream topic wants streamed output, or {@code null}
 *                     when nobody streams (async jobs, batches)
 * @param payload      the job's work
 * @param attempt      which dispatch of the job this is, 1 for the first; the gateway's reaper sends
 *                     the job again with the next number when its worker vanished, and stages put
 *                     it into their event ids so the new attempt's events are not taken for
 *                     redeliveries of the lost one's (absent in JSON written before the field: 1)
 * @param priority     interactive (a caller waits) or batch (offline work that yields to it); stages
 *                     that queue work admit interactive work first (absent in JSON written before
 *                     the field: interactive)
 */
public record StageRequest(String jobId, String tenant, Route route, Stage stage, String replyTo, JobPayload payload,
                           Integer attempt, Priority priority) {

    /** A first, interactive dispatch. */
    public StageRequest(String jobId, String tenant, Route route, Stage stage, String replyTo, JobPayload payload) {
        this(jobId, tenant, route, stage, replyTo, payload, 1, Priority.INTERACTIVE);
    }

    /** An interactive dispatch numbered {@code attempt}. */
    public StageRequest(String jobId, String tenant, Route route, Stage stage, String replyTo, JobPayload payload,
                        Integer attempt) {
        this(jobId, tenant, route, stage, replyTo, payload, attempt, Priority.INTERACTIVE);
    }

    public StageRequest {
        attempt = attempt == null || attempt < 1 ? 1 : attempt;
        priority = priority == null ? Priority.INTERACTIVE : priority;
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("jobId must not be blank");
        }
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("tenant must not be blank");
        }
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(payload, "payload");
        if (!route.stages().contains(stage)) {
            throw new IllegalArgumentException(stage + " is not on route " + route);
        }
    }

    /** The same job addressed to the next stage with an (possibly enriched) payload. */
    public StageRequest forward(Stage next, JobPayload enriched) {
        return new StageRequest(jobId, tenant, route, next, replyTo, enriched, attempt, priority);
    }

    /** The same request dispatched again as attempt {@code next}. */
    public StageRequest redispatch(int next) {
        return new StageRequest(jobId, tenant, route, stage, replyTo, payload, next, priority);
    }

    /**
     * The prefix of the ids of what a stage publishes about this request: {@code <job>:<stage>} for
     * the first attempt (as before attempts existed), {@code <job>:<stage>@<n>} for a later one.
     */
    public String idPrefix() {
        String base = jobId + ":" + stage.name().toLowerCase(java.util.Locale.ROOT);
        return attempt > 1 ? base + "@" + attempt : base;
    }
}
