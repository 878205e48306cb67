package dev.ovis.serve.gateway.limit;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One budget for the JSON bodies that requests in progress hold in memory. A JSON body is read
 * whole before it is parsed (up to its endpoint's limit: 72 MB for a chat with data URIs), and the
 * parsed tree lives as long as the request, so each endpoint's limit alone let a few concurrent
 * large chats take the heap (three 60 MB ones moved the JVM from 1.4 to 2.2 GB). Each JSON body's
 * bytes are counted as they arrive and given back when its request ends; a body that would pass
 * {@code max-bytes} is refused with 503 and Retry-After, the others go on. Uploads (multipart
 * forms, raw bytes to {@code /v1/media}) are streamed to disk, not held, and are not counted.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 11)
public class BodyBudget implements WebFilter {

    private static final String RETRY_AFTER_SECONDS = "1";

    private final BodyBudgetProperties settings;
    private final AtomicLong held = new AtomicLong();

    public BodyBudget(BodyBudgetProperties settings) {
        this.settings = settings;
    }

    /** Bytes of JSON bodies held by requests in progress. */
    public long held() {
        return held.get();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!settings.enabled() || streamedToDisk(exchange.getRequest())) {
            return chain.filter(exchange);
        }
        Share share = new Share();
        ServerHttpRequestDecorator counted = new ServerHttpRequestDecorator(exchange.getRequest()) {
            @Override
            public Flux<DataBuffer> getBody() {
                return super.getBody().doOnNext(share::take);
            }
        };
        return chain.filter(exchange.mutate().request(counted).build()).doFinally(signal -> share.giveBack());
    }

    /** What one request holds of the budget; nothing is counted once the request has ended. */
    private final class Share {

        private long bytes;
        private boolean ended;

        synchronized void take(DataBuffer buffer) {
            if (ended) {
                return;
            }
            long size = buffer.readableByteCount();
            long now = held.addAndGet(size);
            if (now > settings.maxBytes().toBytes()) {
                held.addAndGet(-size);
                DataBufferUtils.release(buffer);
                throw new ApiException(ErrorCode.UNAVAILABLE, "the gateway holds " + (now - size) / (1024 * 1024)
                        + " MB of request bodies in progress, its limit; retry shortly",
                        Map.of(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS));
            }
            bytes += size;
        }

        synchronized void giveBack() {
            ended = true;
            held.addAndGet(-bytes);
            bytes = 0;
        }
    }

    /**
     * Uploads: multipart forms (files, OCR and key-frame uploads) and raw bytes to {@code /v1/media}
     * stream to disk and are not counted. Every other body is read whole — as JSON whatever its
     * declared type, so the type cannot be used to slip past the budget.
     */
    private static boolean streamedToDisk(ServerHttpRequest request) {
        MediaType type = request.getHeaders().getContentType();
        if (type != null && "multipart".equalsIgnoreCase(type.getType())) {
            return true;
        }
        String path = request.getPath().pathWithinApplication().value();
        return path.equals("/v1/media") || path.startsWith("/v1/media/");
    }
}
