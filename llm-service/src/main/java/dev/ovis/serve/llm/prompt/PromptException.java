package dev.ovis.serve.llm.prompt;

import dev.ovis.serve.common.error.CodedException;
import dev.ovis.serve.common.error.ErrorCode;

/** The conversation cannot become a prompt for this model; the code says why for the caller. */
public class PromptException extends Exception implements CodedException {

    private final ErrorCode code;

    public PromptException(ErrorCode code, String detail) {
        super(detail);
        this.code = code;
    }

    @Override
    public ErrorCode code() {
        return code;
    }
}
