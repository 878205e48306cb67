package dev.ovis.serve.gateway.job;

/**
 * The outcome of {@link JobService#submit}.
 *
 * @param job     the job
 * @param created {@code false} when an earlier request with the same idempotency key and body created it
 */
public record Submission(Job job, boolean created) {
}
