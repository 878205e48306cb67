package dev.ovis.serve.support.observability;

import java.util.List;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/traces}: the newest traces this JVM recorded ({@link RecentSpans}), and
 * {@code /actuator/traces/{traceId}} with every span of one trace — the trace id a response
 * carries in {@code X-Trace-Id}. On the gateway it needs an admin key like every actuator path
 * but health.
 */
@Endpoint(id = "traces")
public class TracesEndpoint {

    private static final int LIST_LIMIT = 50;

    private final RecentSpans spans;

    public TracesEndpoint(RecentSpans spans) {
        this.spans = spans;
    }

    @ReadOperation
    public List<RecentSpans.TraceSummary> traces() {
        return spans.recent(LIST_LIMIT);
    }

    @ReadOperation
    public List<RecentSpans.SpanView> trace(@Selector String traceId) {
        return spans.trace(traceId);
    }
}
