package dev.ovis.serve.gateway.problem;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.support.storage.ObjectStoreException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.PayloadTooLargeException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns every error of every request — thrown in a controller, a codec, a {@code WebFilter} or by
 * routing itself — into an {@code application/problem+json} answer. It runs before Boot's own
 * error handler (order -2), so no HTML or Whitelabel body and no stack trace ever leaves the gateway.
 */
@Component
@Order(-2)
public class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);
    private static final int DATABASE_RETRY_AFTER_SECONDS = 5;
    static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

    private final JsonMapper json;

    public ProblemExceptionHandler(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(error);
        }
        String path = exchange.getRequest().getPath().value();
        if (databaseUnreachable(error)) {
            // an outage, not a bug: the client may retry; what was accepted before is kept
            log.warn("Database unreachable on {}: {}", path, error.toString());
            error = new ApiException(ErrorCode.UNAVAILABLE, "the job database is unreachable; retry later",
                    Map.of(HttpHeaders.RETRY_AFTER, String.valueOf(DATABASE_RETRY_AFTER_SECONDS)));
        }
        Problem problem = toProblem(error, path);
        response.setStatusCode(HttpStatus.valueOf(problem.status()));
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(PROBLEM_JSON);
        if (error instanceof ApiException api) {
            api.headers().forEach(headers::set);
        } else if (error instanceof ResponseStatusException status) {
            status.getHeaders().forEach((name, values) -> headers.put(name, values));
        }
        byte[] bytes = json.writeValueAsBytes(problem.body());
        DataBuffer buffer = response.bufferFactory().wrap(bytes);
        return response.writeWith(Mono.just(buffer));
    }

    /** Maps an error to its problem; unexpected errors are logged here, once, with their stack. */
    Problem toProblem(Throwable error, String path) {
        if (error instanceof ApiException api) {
            return Problem.of(api.code(), api.detail(), path);
        }
        if (error instanceof ObjectStoreException store) {
            if (store.code().httpStatus() >= 500) {
                String errorId = newErrorId();
                log.warn("Object store failed on {} (error_id {}): {}", path, errorId, store.getMessage());
                return Problem.unexpected(store.code(), errorId, path);
            }
            return Problem.of(store.code(), "object store: " + store.getMessage(), path);
        }
        if (findCause(error, DataBufferLimitException.class) != null || error instanceof PayloadTooLargeException) {
            return Problem.of(ErrorCode.MEDIA_TOO_LARGE, "the request body is larger than this endpoint accepts", path);
        }
        if (error instanceof UnsupportedMediaTypeStatusException unsupported) {
            return Problem.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "content type " + unsupported.getContentType()
                    + " is not accepted here; supported: " + unsupported.getSupportedMediaTypes(), path);
        }
        if (error instanceof MethodNotAllowedException notAllowed) {
            return new Problem(ErrorCode.METHOD_NOT_ALLOWED, 405, "method " + notAllowed.getHttpMethod()
                    + " is not allowed on " + path + "; allowed: " + notAllowed.getSupportedMethods(), path);
        }
        if (error instanceof NotAcceptableStatusException notAcceptable) {
            return new Problem(ErrorCode.NOT_ACCEPTABLE, 406, "cannot produce an acceptable representation; available: "
                    + notAcceptable.getSupportedMediaTypes(), path);
        }
        if (error instanceof ServerWebInputException input) {
            return inputProblem(input, path);
        }
        if (error instanceof ResponseStatusException status) {
            int code = status.getStatusCode().value();
            if (code == 404) {
                return Problem.of(ErrorCode.NOT_FOUND, "no endpoint at " + path, path);
            }
            if (code < 500) {
                return new Problem(ErrorCode.INVALID_REQUEST, code, reason(status), path);
            }
        }
        String errorId = newErrorId();
        log.error("Unexpected error on {} (error_id {})", path, errorId, error);
        return Problem.unexpected(ErrorCode.INTERNAL, errorId, path);
    }

    /**
     * No connection to PostgreSQL within Hikari's {@code connection-timeout}, or one lost mid-statement
     * or mid-commit: SQLState class 08 (connection exception) or 57P (the server shutting down or
     * restarting, e.g. 57P01 "terminating connection due to administrator command"), however wrapped,
     * also behind a failed rollback. A lost commit's outcome is unknown (the job may be stored): a
     * client of {@code /v1/jobs} that retries with an {@code Idempotency-Key} gets the stored job, not a second one.
     */
    public static boolean databaseUnreachable(Throwable error) {
        if (findCause(error, CannotGetJdbcConnectionException.class) != null
                || findCause(error, DataAccessResourceFailureException.class) != null
                || findCause(error, SQLTransientConnectionException.class) != null) {
            return true;
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
            // a rollback that failed after a failed commit hides the commit's error here
            if (cause instanceof TransactionSystemException rollback && rollback.getApplicationException() != null
                    && databaseUnreachable(rollback.getApplicationException())) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    private static String newErrorId() {
        return UUID.randomUUID().toString();
    }

    private static Problem inputProblem(ServerWebInputException input, String path) {
        StreamReadException malformed = findCause(input, StreamReadException.class);
        if (malformed != null) {
            return Problem.of(ErrorCode.MALFORMED_JSON, "the body is not valid JSON: " + malformed.getOriginalMessage(), path);
        }
        JacksonException mapping = findCause(input, JacksonException.class);
        if (mapping != null) {
            return Problem.of(ErrorCode.INVALID_REQUEST, mapping.getOriginalMessage(), path);
        }
        if (findCause(input, DecodingException.class) != null) {
            return Problem.of(ErrorCode.MALFORMED_JSON, "the body cannot be decoded: " + reason(input), path);
        }
        return Problem.of(ErrorCode.INVALID_REQUEST, reason(input), path);
    }

    private static String reason(ResponseStatusException status) {
        return status.getReason() != null ? status.getReason() : status.getMessage();
    }

    private static <T extends Throwable> T findCause(Throwable error, Class<T> type) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return null;
    }
}
