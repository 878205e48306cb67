package dev.ovis.serve.gateway.problem;

import dev.ovis.serve.common.error.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One RFC 9457 problem as the gateway writes it: {@code type} from the {@link ErrorCode}, the
 * HTTP status (usually the code's own; 405/406 keep theirs), a precise detail, the request path
 * as {@code instance} and the code's slug as the {@code code} extension member.
 */
public record Problem(ErrorCode code, int status, String detail, String instance) {

    public static Problem of(ErrorCode code, String detail, String instance) {
        return new Problem(code, code.httpStatus(), detail, instance);
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
        return body;
    }
}
