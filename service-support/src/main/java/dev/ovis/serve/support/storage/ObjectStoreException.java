package dev.ovis.serve.support.storage;

import dev.ovis.serve.common.error.CodedException;
import dev.ovis.serve.common.error.ErrorCode;
import java.util.Objects;

/**
 * An object-store operation failed. The {@link #code()} says what to report: {@code NOT_FOUND},
 * {@code MEDIA_TOO_LARGE}, or {@code UNAVAILABLE} (transient: the store could not be reached or
 * answered with a server error). The stage runtime reports an uncaught one with its code.
 */
public class ObjectStoreException extends RuntimeException implements CodedException {

    private final ErrorCode code;

    public ObjectStoreException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ObjectStoreException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /** What a caller should report for this failure. */
    @Override
    public ErrorCode code() {
        return code;
    }
}
