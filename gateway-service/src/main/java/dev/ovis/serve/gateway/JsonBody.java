package dev.ovis.serve.gateway;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads every JSON request body of the gateway: with the endpoint's size limit (413 beyond), with
 * the parser's own limits on nesting, token count, number and name length
 * ({@link JsonProperties}), and refusing text PostgreSQL cannot store
 * ({@link StorableText}). Not JSON: 400 malformed-json; empty: 400.
 */
@Component
public class JsonBody {

    private final JsonMapper parser;

    public JsonBody(JsonProperties limits) {
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxDepth())
                .maxTokenCount(limits.maxTokens())
                .maxNumberLength(limits.maxNumberLength())
                .maxNameLength(limits.maxNameLength())
                // strings are bounded by the body's size, which each endpoint limits (data URIs are long)
                .maxStringLength(Integer.MAX_VALUE)
                .maxDocumentLength(-1)
                .build();
        this.parser = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(constraints).build()).build();
    }

    /** The body of {@code request}, at most {@code maxBytes}, as a checked JSON tree. */
    public Mono<JsonNode> read(ServerHttpRequest request, long maxBytes) {
        return DataBufferUtils.join(request.getBody(), (int) Math.min(maxBytes, Integer.MAX_VALUE))
                .switchIfEmpty(Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "a JSON body is required")))
                .map(buffer -> {
                    // parsed straight from the joined buffer: no second copy of a large body
                    try (InputStream in = buffer.asInputStream(true)) {
                        return parse(in);
                    } catch (IOException e) {
                        throw new ApiException(ErrorCode.MALFORMED_JSON, "the body cannot be read: " + e.getMessage());
                    }
                });
    }

    /** Parses and checks one JSON document already in memory. */
    public JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "a JSON body is required");
        }
        try {
            return checked(parser.readTree(body));
        } catch (JacksonException e) {
            throw refusal(e);
        }
    }

    private JsonNode parse(InputStream in) {
        try {
            JsonNode root = parser.readTree(in);
            if (root == null || root.isMissingNode()) {
                throw new ApiException(ErrorCode.INVALID_REQUEST, "a JSON body is required");
            }
            return checked(root);
        } catch (JacksonException e) {
            throw refusal(e);
        }
    }

    private static JsonNode checked(JsonNode root) {
        StorableText.requireStorable(root, "");
        return root;
    }

    /** A parser limit broken by size is 413; one broken by shape (depth, a 1000-digit number) is 400. */
    static ApiException refusal(JacksonException e) {
        if (e instanceof StreamConstraintsException limit) {
            String message = limit.getOriginalMessage();
            boolean size = message.contains("Token count") || message.contains("String value length")
                    || message.contains("Document length");
            return new ApiException(size ? ErrorCode.MEDIA_TOO_LARGE : ErrorCode.INVALID_REQUEST,
                    "the JSON body exceeds a limit: " + message);
        }
        return new ApiException(ErrorCode.MALFORMED_JSON, "the body is not valid JSON: " + e.getOriginalMessage());
    }
}
