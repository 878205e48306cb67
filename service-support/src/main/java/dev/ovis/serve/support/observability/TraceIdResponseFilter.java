package dev.ovis.serve.support.observability;

import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Answers every request with {@code X-Trace-Id: <trace id>}, the id under which its spans can be
 * read ({@code /actuator/traces/{id}}, or in the OTLP backend) and which its log lines carry. The
 * server observation WebFlux starts for the request travels in the Reactor context; its span is
 * the request's. Runs first so that refusals (401, 429) carry it too.
 */
public final class TraceIdResponseFilter implements WebFilter, Ordered {

    public static final String HEADER = "X-Trace-Id";

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return Mono.deferContextual(context -> {
            Observation observation = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
            if (observation != null) {
                TracingObservationHandler.TracingContext tracing =
                        observation.getContext().get(TracingObservationHandler.TracingContext.class);
                Span span = tracing == null ? null : tracing.getSpan();
                if (span != null) {
                    exchange.getResponse().getHeaders().set(HEADER, span.context().traceId());
                }
            }
            return chain.filter(exchange);
        });
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
