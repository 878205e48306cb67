package dev.ovis.serve.gateway;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a request body as a JSON tree with an explicit size limit — for endpoints whose bodies may
 * carry data URIs and so outgrow the codecs' default in-memory limit. Beyond the limit: 413; not
 * JSON: 400 malformed-json; empty: 400.
 */
public final class JsonBody {

    private JsonBody() {
    }

    public static Mono<JsonNode> read(ServerHttpRequest request, long maxBytes, JsonMapper json) {
        return DataBufferUtils.join(request.getBody(), (int) Math.min(maxBytes, Integer.MAX_VALUE))
                .switchIfEmpty(Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "a JSON body is required")))
                .map(buffer -> {
                    try {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        return json.readTree(bytes);
                    } catch (JacksonException e) {
                        throw new ApiException(ErrorCode.MALFORMED_JSON, "the body is not valid JSON: " + e.getOriginalMessage());
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                });
    }
}
