package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.error.ErrorCode;
import java.util.Objects;

/**
 * A stage could not do a job, with the reason the caller will see. A {@link ErrorCode#isTransient()
 * transient} code (UNAVAILABLE, TIMEOUT, RATE_LIMITED) makes the runtime try again up to {@code
 * ovis.stage.max-attempts} times; any other code fails the job at once.
 */
public class StageException extends Exception {

    private final ErrorCode code;

    public StageException(ErrorCode code, String detail) {
        super(detail);
        this.code = Objects.requireNonNull(code, "code");
        if (detail == null || detail.isBlank()) {
            throw new IllegalArgumentException("a stage failure needs a detail");
        }
    }

    public StageException(ErrorCode code, String detail, Throwable cause) {
        this(code, detail);
        initCause(cause);
    }

    /** The error code to report. */
    public ErrorCode code() {
        return code;
    }

    /** The detail to report (the message). */
    public String detail() {
        return getMessage();
    }
}
