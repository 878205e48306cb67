package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;

/**
 * Bounds the event streams ({@code GET /v1/jobs/{id}/events}) one tenant holds open on this
 * instance: each re-reads its row every few seconds, so thousands of them from one tenant would
 * take the database from everybody. Beyond the limit: 429 with Retry-After. Thread-safe.
 */
final class Watchers {

    private final int maxPerTenant;
    private final Duration retryAfter;
    private final ConcurrentMap<String, AtomicInteger> open = new ConcurrentHashMap<>();

    Watchers(int maxPerTenant, Duration retryAfter) {
        this.maxPerTenant = maxPerTenant;
        this.retryAfter = retryAfter;
    }

    /** {@code stream}, counted against {@code tenant}'s limit from subscription until it ends or is cancelled. */
    <T> Flux<T> limit(String tenant, Flux<T> stream) {
        return Flux.defer(() -> {
            AtomicInteger count = open.computeIfAbsent(tenant, t -> new AtomicInteger());
            if (count.incrementAndGet() > maxPerTenant) {
                count.decrementAndGet();
                return Flux.error(new ApiException(ErrorCode.RATE_LIMITED, "this tenant already follows " + maxPerTenant
                        + " jobs' events on this instance, the most it may; close some streams first",
                        Map.of("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())))));
            }
            return stream.doFinally(signal -> count.decrementAndGet());
        });
    }

    /** Streams {@code tenant} holds open now. */
    int open(String tenant) {
        AtomicInteger count = open.get(tenant);
        return count == null ? 0 : count.get();
    }
}
