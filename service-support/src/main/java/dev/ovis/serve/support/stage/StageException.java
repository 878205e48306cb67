package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.error.CodedException;
import dev.ovis.serve.common.error.ErrorCode;
import java.util.Objects;

/**
 * A stage could not do a job, with the reason the caller will see. A {@link ErrorCode#isTransient()
 * transient} code (UNAVAILABLE, TIMEOUT, RATE_LIMITED) makes the runtime try again up to {@code
 * ovis.stage.max-attempts} times; any other code fails the job at once.
 */
public class StageException extends Exception implements CodedException {

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

    /**
     * The failure {@code cause} stands for, with its code and message: how a handler reports the
     * exceptions of the engines it calls ({@code catch (InvalidImageException | OcrException e)
     * { throw StageException.of(e); }}).
     */
    public static <E extends Exception & CodedException> StageException of(E cause) {
        return new StageException(cause.code(), cause.getMessage(), cause);
    }

    /** As {@link #of(Exception)}, the detail prefixed by where it happened: {@code "image 2 of 3: …"}. */
    public static <E extends Exception & CodedException> StageException of(String where, E cause) {
        return new StageException(cause.code(), where + ": " + cause.getMessage(), cause);
    }

    /** The error code to report. */
    @Override
    public ErrorCode code() {
        return code;
    }

    /** The detail to report (the message). */
    public String detail() {
        return getMessage();
    }
}
