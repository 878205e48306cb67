package dev.ovis.serve.gateway.job;

import java.util.List;

/**
 * One page of {@link JobService#page}.
 *
 * @param jobs       newest first
 * @param nextCursor the cursor of the next page, {@code null} on the last page
 */
public record JobPage(List<Job> jobs, String nextCursor) {
}
