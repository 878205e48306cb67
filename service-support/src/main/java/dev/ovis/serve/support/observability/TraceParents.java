package dev.ovis.serve.support.observability;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

/**
 * The W3C {@code traceparent} of the current span, to store with work that is done later on
 * another thread (the gateway's outbox), and the way back: running that work in a span that
 * continues the stored trace, so what it sends to Kafka carries the original request's trace.
 */
public final class TraceParents {

    /** The header (and outbox column) name W3C Trace Context uses. */
    public static final String TRACEPARENT = "traceparent";

    /** For applications without tracing: nothing is captured, work runs untraced. */
    public static final TraceParents NONE = new TraceParents(Tracer.NOOP, Propagator.NOOP);

    private final Tracer tracer;
    private final Propagator propagator;

    public TraceParents(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** The current span's {@code traceparent}, or null outside a span. */
    public String current() {
        Span span = tracer.currentSpan();
        if (span == null) {
            return null;
        }
        TraceContext context = span.context();
        Map<String, String> carrier = new HashMap<>();
        propagator.inject(context, carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

    /**
     * Runs {@code work} in a new span named {@code name}, a child of the current span: a step of a
     * request worth seeing on its own in a trace (a database transaction on the request's path).
     */
    public <T> T inChildSpan(String name, Supplier<T> work) {
        return within(current(), name, work);
    }

    /**
     * Runs {@code work} in a new span named {@code name}, a child of {@code traceparent} (a root
     * span when it is null or unreadable), and ends the span when the work returns.
     */
    public <T> T within(String traceparent, String name, Supplier<T> work) {
        Span span = traceparent == null || traceparent.isBlank()
                ? tracer.nextSpan().name(name).start()
                : propagator.extract(Map.of(TRACEPARENT, traceparent), (carrier, key) -> carrier.get(key)).name(name).start();
        try (Tracer.SpanInScope ignored = tracer.withSpan(span)) {
            return work.get();
        } finally {
            span.end();
        }
    }
}
