package dev.ovis.serve.ocr.page;

import dev.ovis.serve.common.error.CodedException;
import dev.ovis.serve.common.error.ErrorCode;

/** An OCR request that cannot be served, with the stable code the caller sees. */
public class OcrException extends Exception implements CodedException {

    private final ErrorCode code;

    public OcrException(ErrorCode code, String detail) {
        super(detail);
        this.code = code;
    }

    public OcrException(ErrorCode code, String detail, Throwable cause) {
        super(detail, cause);
        this.code = code;
    }

    @Override
    public ErrorCode code() {
        return code;
    }
}
