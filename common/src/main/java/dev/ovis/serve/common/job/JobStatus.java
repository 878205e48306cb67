package dev.ovis.serve.common.job;

import java.util.EnumSet;
import java.util.Set;

/**
 * The closed set of job states and the only legal transitions between them.
 *
 * <pre>
 * QUEUED ──▶ RUNNING ──▶ SUCCEEDED
 *   │           │──────▶ FAILED
 *   │           └──────▶ CANCELLED
 *   ├──────────────────▶ FAILED      (refused before any stage started)
 *   └──────────────────▶ CANCELLED
 * </pre>
 * Terminal states never change again; that is what makes a duplicate result harmless.
 */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    /** Whether the job is finished for good. */
    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** The states this one may move to. Staying in RUNNING (progress) is allowed. */
    public Set<JobStatus> next() {
        return switch (this) {
            case QUEUED -> EnumSet.of(RUNNING, SUCCEEDED, FAILED, CANCELLED);
            case RUNNING -> EnumSet.of(RUNNING, SUCCEEDED, FAILED, CANCELLED);
            case SUCCEEDED, FAILED, CANCELLED -> EnumSet.noneOf(JobStatus.class);
        };
    }

    /** Whether moving from this state to {@code target} is legal. */
    public boolean canMoveTo(JobStatus target) {
        return next().contains(target);
    }
}
