package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobResult;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A job as the API shows it ({@code GET /v1/jobs/{id}}, list items, SSE data).
 *
 * @param error {@code {code, type, detail}} once FAILED or CANCELLED, else {@code null}
 */
public record JobView(String id, String kind, String route, String status, Double progress, String message,
                      JobPayload request, JobResult result, Error error, int attempts, int version,
                      Instant createdAt, Instant updatedAt, Instant finishedAt) {

    /** Why a job failed, in the same terms as a problem detail. */
    public record Error(String code, String type, String detail) {
    }

    /** A page of {@code GET /v1/jobs}. */
    public record Page(List<JobView> data, String nextCursor) {
    }

    public static JobView of(Job job) {
        Error error = job.failure() == null ? null
                : new Error(job.failure().code().slug(), job.failure().code().type(), job.failure().detail());
        return new JobView(job.id(), job.kind().name(), job.route().toString(), job.status().name(), job.progress(),
                job.message(), job.payload(), job.result(), error, job.attempts(), job.version(), job.createdAt(),
                job.updatedAt(), job.finishedAt());
    }

    static Page of(JobPage page) {
        return new Page(page.jobs().stream().map(JobView::of).toList(), page.nextCursor());
    }

    /** Lower-case status, used as the SSE event name. */
    String statusName() {
        return status.toLowerCase(Locale.ROOT);
    }
}
