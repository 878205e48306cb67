package dev.ovis.serve.gateway.limit;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.auth.Tenant;
import dev.ovis.serve.gateway.problem.ApiException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses a tenant's work-starting requests ({@code POST /v1/**}) beyond its rate with a 429
 * problem and a {@code Retry-After} header (whole seconds). Runs after authentication, so the
 * bucket is the tenant's, not the caller's address.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
public class RateLimitFilter implements WebFilter {

    private final RateLimitProperties properties;
    private final LongSupplier clock;
    private final ConcurrentMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    @Autowired
    public RateLimitFilter(RateLimitProperties properties) {
        this(properties, System::nanoTime);
    }

    RateLimitFilter(RateLimitProperties properties, LongSupplier clock) {
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!properties.enabled() || exchange.getRequest().getMethod() != HttpMethod.POST
                || !exchange.getRequest().getPath().pathWithinApplication().value().startsWith("/v1/")) {
            return chain.filter(exchange);
        }
        String tenant = Tenant.of(exchange).id();
        long now = clock.getAsLong();
        TokenBucket bucket = buckets.computeIfAbsent(tenant,
                t -> new TokenBucket(properties.burst(), properties.requestsPerMinute() / 60.0, now));
        long waitNanos = bucket.tryTake(now);
        if (waitNanos == 0) {
            return chain.filter(exchange);
        }
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        return Mono.error(new ApiException(ErrorCode.RATE_LIMITED, "tenant '" + tenant + "' is over its limit of "
                + properties.requestsPerMinute() + " requests per minute (burst " + properties.burst() + "); retry in "
                + seconds + " s", Map.of(HttpHeaders.RETRY_AFTER, String.valueOf(seconds))));
    }
}
