package dev.ovis.serve.gateway.limit;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.auth.Tenant;
import dev.ovis.serve.gateway.problem.ApiException;
import dev.ovis.serve.support.observability.TraceParents;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Refuses a tenant's work-starting requests ({@code POST /v1/**}) beyond its rate with a 429
 * problem and a {@code Retry-After} header (whole seconds). Runs after authentication, so the
 * bucket is the tenant's, not the caller's address; the buckets are shared by every gateway
 * instance ({@link SharedRateLimits}). Most requests spend a token this instance took ahead with
 * an earlier one, on the event loop; the others take from the shared bucket on a blocking thread.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
public class RateLimitFilter implements WebFilter {

    private static final Logger log = LoggerFactory.getLogger(RateLimitFilter.class);

    private final RateLimitProperties properties;
    private final SharedRateLimits limits;
    private final TraceParents traces;

    public RateLimitFilter(RateLimitProperties properties, SharedRateLimits limits, TraceParents traces) {
        this.properties = properties;
        this.limits = limits;
        this.traces = traces;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!properties.enabled() || exchange.getRequest().getMethod() != HttpMethod.POST
                || !exchange.getRequest().getPath().pathWithinApplication().value().startsWith("/v1/")) {
            return chain.filter(exchange);
        }
        String tenant = Tenant.of(exchange).id();
        if (limits.trySpendHeld(tenant)) {
            return chain.filter(exchange); // a token taken earlier: no database, no thread hand-over
        }
        return Mono.fromCallable(() -> traces.inChildSpan("rate limit", () -> limits.tryTake(tenant)))
                .subscribeOn(Schedulers.boundedElastic())
                // With PostgreSQL unreachable the request itself cannot be stored either and gets its
                // own clear error; the limiter does not turn that into a misleading 429.
                .onErrorResume(e -> {
                    log.warn("Rate limit of tenant {} not checked: {}", tenant, e.toString());
                    return Mono.just(0L);
                })
                .flatMap(waitNanos -> waitNanos == 0 ? chain.filter(exchange) : Mono.error(refusal(tenant, waitNanos)));
    }

    private ApiException refusal(String tenant, long waitNanos) {
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        return new ApiException(ErrorCode.RATE_LIMITED, "tenant '" + tenant + "' is over its limit of "
                + properties.requestsPerMinute() + " requests per minute (burst " + properties.burst() + "); retry in "
                + seconds + " s", Map.of(HttpHeaders.RETRY_AFTER, String.valueOf(seconds)));
    }
}
