package dev.ovis.serve.gateway.problem;

import dev.ovis.serve.common.error.ErrorCode;
import java.util.Map;
import java.util.Objects;

/**
 * A request the gateway refuses, with the stable {@link ErrorCode} and a precise detail for the
 * client. Thrown (or emitted as an error signal) anywhere in a request, it becomes an RFC 9457
 * problem through {@link ProblemExceptionHandler}.
 */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final transient Map<String, String> headers;

    public ApiException(ErrorCode code, String detail) {
        this(code, detail, Map.of());
    }

    public ApiException(ErrorCode code, String detail, Map<String, String> headers) {
        super(detail);
        this.code = Objects.requireNonNull(code, "code");
        this.headers = Map.copyOf(headers);
    }

    public ErrorCode code() {
        return code;
    }

    public String detail() {
        return getMessage();
    }

    /** Response headers that belong to the problem (e.g. {@code WWW-Authenticate}). */
    public Map<String, String> headers() {
        return headers;
    }

    public static ApiException notFound(String what, String id) {
        return new ApiException(ErrorCode.NOT_FOUND, "no " + what + " '" + id + "'");
    }
}
