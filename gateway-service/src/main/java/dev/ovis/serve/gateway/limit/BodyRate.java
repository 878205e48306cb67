package dev.ovis.serve.gateway.limit;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Cuts a request body that arrives too slowly: below {@code min-per-second} on average once
 * {@code grace} has passed, or not finished by {@code deadline}. The server's idle timeout only sees
 * a connection that sends nothing; one byte every few seconds (a slow-body attack, the sibling of the
 * slow headers {@code ovis.http.header-timeout} cuts) held a handler, its buffers and an upload's temp
 * file for as long as the client liked. The body's reader gets {@link ErrorCode#REQUEST_TIMEOUT},
 * which the gateway answers 408 with problem details. Times are taken from Reactor's clock, so tests
 * run it on virtual time.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class BodyRate implements WebFilter {

    private final BodyRateProperties settings;

    public BodyRate(BodyRateProperties settings) {
        this.settings = settings;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!settings.enabled()) {
            return chain.filter(exchange);
        }
        ServerHttpRequestDecorator timed = new ServerHttpRequestDecorator(exchange.getRequest()) {
            @Override
            public Flux<DataBuffer> getBody() {
                return guard(super.getBody(), settings);
            }
        };
        return chain.filter(exchange.mutate().request(timed).build());
    }

    /** {@code body}, failing with 408 once it falls below the minimum rate or passes the deadline. */
    static Flux<DataBuffer> guard(Flux<DataBuffer> body, BodyRateProperties settings) {
        long minPerSecond = settings.minPerSecond().toBytes();
        long grace = settings.grace().toNanos();
        long deadline = settings.deadline().toNanos();
        return Flux.defer(() -> {
            long start = now();
            long[] bytes = {0};
            return body.doOnNext(buffer -> {
                bytes[0] += buffer.readableByteCount();
                long elapsed = now() - start;
                if (elapsed > grace && bytes[0] * 1_000_000_000.0 / elapsed < minPerSecond) {
                    DataBufferUtils.release(buffer);
                    throw new ApiException(ErrorCode.REQUEST_TIMEOUT, String.format(
                            "the request body arrived at %.0f bytes/s on average over %d s, below the minimum of %d bytes/s",
                            bytes[0] * 1_000_000_000.0 / elapsed, elapsed / 1_000_000_000, minPerSecond));
                }
            }).timeout(Mono.delay(Duration.ofNanos(deadline)),
                    buffer -> Mono.delay(Duration.ofNanos(Math.max(0, start + deadline - now()))))
              .onErrorMap(TimeoutException.class, e -> new ApiException(ErrorCode.REQUEST_TIMEOUT,
                    "the request body did not arrive within " + settings.deadline().toSeconds() + " s"));
        });
    }

    private static long now() {
        return Schedulers.parallel().now(TimeUnit.NANOSECONDS);
    }
}
