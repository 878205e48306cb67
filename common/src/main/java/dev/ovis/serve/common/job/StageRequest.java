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
 */
public record StageRequest(String jobId, String tenant, Route route, Stage stage, String replyTo, JobPayload payload) {

    public StageRequest {
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
        return new StageRequest(jobId, tenant, route, next, replyTo, enriched);
    }
}
