package dev.ovis.serve.gateway.problem;

import dev.ovis.serve.common.error.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One RFC 9457 problem as the gateway writes it: {@code type} from the {@link ErrorCode}, the
 * HTTP status (usually the code's own; 405/406 keep theirs), a precise detail, the request path
 * as {@code instance}, the code's slug as the {@code code} extension member, and the same error in
 * OpenAI's shape as the {@code error} member; an unexpected failure adds {@code error_id}.
 */
public record Problem(ErrorCode code, int status, String detail, String instance, String errorId) {

    public Problem(ErrorCode code, int status, String detail, String instance) {
        this(code, status, detail, instance, null);
    }

    public static Problem of(ErrorCode code, String detail, String instance) {
        return new Problem(code, code.httpStatus(), detail, instance, null);
    }

    /**
     * An unexpected failure: the client learns only its {@code error_id}, which names the log line
     * holding the exception and its stack — never the exception's message, which may carry SQL,
     * hosts or file paths.
     */
    public static Problem unexpected(ErrorCode code, String errorId, String instance) {
        return new Problem(code, code.httpStatus(), "unexpected error; quote error_id " + errorId + " when reporting it",
                instance, errorId);
    }

    /** The members in RFC order, ready for JSON. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", code.type());
        body.put("title", code.title());
        body.put("status", status);
        body.put("detail", detail);
        if (instance != null) {
            body.put("instance", instance);
        }
        body.put("code", code.slug());
        if (errorId != null) {
            body.put("error_id", errorId);
        }
        body.put("error", openAiError(code, detail));
        return body;
    }

    /**
     * The OpenAI-style {@code error} object carried inside every problem, so OpenAI clients read
     * our errors too ({@code message}, {@code type}, {@code param}, {@code code}).
     */
    public static Map<String, Object> openAiError(ErrorCode code, String detail) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", detail);
        error.put("type", switch (code) {
            case UNAUTHORIZED -> "authentication_error";
            case NOT_FOUND, UNKNOWN_MODEL -> "not_found_error";
            case RATE_LIMITED -> "rate_limit_error";
            default -> code.httpStatus() < 500 ? "invalid_request_error" : "server_error";
        });
        error.put("param", null);
        error.put("code", code.slug().replace('-', '_'));
        return error;
    }
}
