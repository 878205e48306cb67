package dev.ovis.serve.support.observability;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * The most recent finished spans, kept in memory so a request's trace can be read at
 * {@code /actuator/traces} without an external collector. One store per JVM: in the one-JVM run
 * the five services' spans land together, so any service shows a whole trace across gateway,
 * vision and llm; deployed apart, each service shows its own part (export OTLP to see it joined).
 * Bounded: the oldest spans go first. Thread-safe.
 */
public final class RecentSpans implements SpanProcessor {

    /** Enough for a few hundred requests of a handful of spans each, a few MB at most. */
    static final int CAPACITY = 4096;

    private static final RecentSpans JVM = new RecentSpans(CAPACITY);
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    private final int capacity;
    private final Deque<SpanData> spans = new ArrayDeque<>();

    RecentSpans(int capacity) {
        this.capacity = capacity;
    }

    /** The store this JVM's services share. */
    public static RecentSpans jvm() {
        return JVM;
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
    }

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        SpanData data = span.toSpanData();
        synchronized (spans) {
            if (spans.size() == capacity) {
                spans.removeFirst();
            }
            spans.addLast(data);
        }
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    /** Keeps the spans: the store outlives one application context in the one-JVM run. */
    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }

    /** The spans of one trace, in start order. */
    public List<SpanView> trace(String traceId) {
        List<SpanView> found = new ArrayList<>();
        synchronized (spans) {
            for (SpanData span : spans) {
                if (span.getTraceId().equals(traceId)) {
                    found.add(SpanView.of(span));
                }
            }
        }
        found.sort((a, b) -> Long.compare(a.startEpochNanos(), b.startEpochNanos()));
        return found;
    }

    /** The newest traces first, at most {@code limit}, each summed up. */
    public List<TraceSummary> recent(int limit) {
        Map<String, TraceSummary.Builder> byTrace = new LinkedHashMap<>();
        synchronized (spans) {
            var newestFirst = spans.descendingIterator();
            while (newestFirst.hasNext()) {
                SpanData span = newestFirst.next();
                TraceSummary.Builder builder = byTrace.get(span.getTraceId());
                if (builder == null) {
                    if (byTrace.size() == limit) {
                        continue;
                    }
                    builder = new TraceSummary.Builder(span.getTraceId());
                    byTrace.put(span.getTraceId(), builder);
                }
                builder.add(span, serviceOf(span));
            }
        }
        return byTrace.values().stream().map(TraceSummary.Builder::build).toList();
    }

    static String serviceOf(SpanData span) {
        String name = span.getResource().getAttribute(SERVICE_NAME);
        return name == null ? "unknown" : name;
    }

    /** One span as {@code /actuator/traces/{traceId}} shows it. */
    public record SpanView(String traceId, String spanId, String parentSpanId, String service, String name,
                           String kind, long startEpochNanos, double durationMillis, String status,
                           Map<String, String> attributes) {

        static SpanView of(SpanData span) {
            Map<String, String> attributes = new LinkedHashMap<>();
            span.getAttributes().forEach((key, value) -> attributes.put(key.getKey(), String.valueOf(value)));
            String parent = span.getParentSpanContext().isValid() ? span.getParentSpanId() : null;
            return new SpanView(span.getTraceId(), span.getSpanId(), parent, serviceOf(span), span.getName(),
                    span.getKind().name(), span.getStartEpochNanos(),
                    (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1e6, span.getStatus().getStatusCode().name(),
                    attributes);
        }
    }

    /** One trace as the {@code /actuator/traces} list shows it. */
    public record TraceSummary(String traceId, String root, List<String> services, int spans, long startEpochNanos,
                               double durationMillis) {

        static final class Builder {
            private final String traceId;
            private final List<String> services = new ArrayList<>();
            private String root;
            private long start = Long.MAX_VALUE;
            private long end;
            private int count;

            Builder(String traceId) {
                this.traceId = traceId;
            }

            void add(SpanData span, String service) {
                count++;
                if (!services.contains(service)) {
                    services.add(service);
                }
                if (span.getStartEpochNanos() < start) {
                    start = span.getStartEpochNanos();
                    root = service + ": " + span.getName();
                }
                end = Math.max(end, span.getEndEpochNanos());
            }

            TraceSummary build() {
                return new TraceSummary(traceId, root, List.copyOf(services), count, start, (end - start) / 1e6);
            }
        }
    }
}
