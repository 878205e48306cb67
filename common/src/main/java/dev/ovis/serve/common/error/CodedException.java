package dev.ovis.serve.common.error;

/**
 * An exception that knows the {@link ErrorCode} its failure is reported with; its message is the
 * detail the caller sees. Stages turn any of them into a failed job the same way ({@code
 * StageException.of(cause)}), so a handler does not map each exception type by hand.
 */
public interface CodedException {

    /** The error code to report. */
    ErrorCode code();

    /** The detail to report. */
    String getMessage();
}
