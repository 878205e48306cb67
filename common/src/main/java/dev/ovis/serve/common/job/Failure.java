package dev.ovis.serve.common.job;

import dev.ovis.serve.common.error.ErrorCode;
import java.util.Objects;

/**
 * Why a job failed: a stable code (its problem type) and a precise, human-readable detail that
 * names the offending input ("image 2: declared 40000x40000 pixels exceeds the 100 MP limit").
 *
 * @param code   the error code
 * @param detail what went wrong, for the caller
 */
public record Failure(ErrorCode code, String detail) {

    public Failure {
        Objects.requireNonNull(code, "code");
        if (detail == null || detail.isBlank()) {
            throw new IllegalArgumentException("a failure needs a detail");
        }
    }
}
