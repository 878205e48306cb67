package dev.ovis.serve.support.image;

import dev.ovis.serve.common.error.CodedException;
import dev.ovis.serve.common.error.ErrorCode;
import java.util.Objects;

/**
 * The bytes cannot become an image we accept: a verdict on the input, never worth a retry. The
 * {@link #code()} is one of {@link ErrorCode#CORRUPT_MEDIA}, {@link ErrorCode#IMAGE_TOO_LARGE} or
 * {@link ErrorCode#UNSUPPORTED_MEDIA_TYPE}; the message says precisely what is wrong.
 */
public class InvalidImageException extends Exception implements CodedException {

    private final ErrorCode code;

    public InvalidImageException(ErrorCode code, String detail) {
        super(detail);
        this.code = Objects.requireNonNull(code, "code");
    }

    public InvalidImageException(ErrorCode code, String detail, Throwable cause) {
        super(detail, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    @Override
    public ErrorCode code() {
        return code;
    }
}
