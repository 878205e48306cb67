package dev.ovis.serve.video.decode;

import dev.ovis.serve.common.error.CodedException;
import dev.ovis.serve.common.error.ErrorCode;

/** A video that cannot be used, with the precise reason ({@code CORRUPT_MEDIA}, {@code VIDEO_LIMIT_EXCEEDED} …). */
public class VideoException extends Exception implements CodedException {

    private final ErrorCode code;

    public VideoException(ErrorCode code, String detail) {
        super(detail);
        this.code = code;
    }

    @Override
    public ErrorCode code() {
        return code;
    }
}
