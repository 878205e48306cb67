package dev.ovis.serve.support.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory span store behind {@code /actuator/traces}, fed by two "services" of one JVM. */
class RecentSpansTests {

    private static SdkTracerProvider service(String name, RecentSpans spans) {
        return SdkTracerProvider.builder().addSpanProcessor(spans)
                .setResource(Resource.create(Attributes.of(io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), name)))
                .build();
    }

    @Test
    void aTraceSpanningTwoServicesIsReadBackInStartOrderWithParents() {
        // given two services sharing one store
        RecentSpans spans = new RecentSpans(100);
        try (SdkTracerProvider gateway = service("gateway-service", spans); SdkTracerProvider vision = service("vision-service", spans)) {
            Tracer g = gateway.get("test");
            Tracer v = vision.get("test");
            // when a server span's child is sent and consumed by the other service
            Span server = g.spanBuilder("http post /v1/chat/completions").setSpanKind(SpanKind.SERVER).startSpan();
            Span send = g.spanBuilder("ovis.requests.vision.v1 send").setSpanKind(SpanKind.PRODUCER)
                    .setParent(Context.current().with(server)).startSpan();
            send.end();
            server.end();
            Span consume = v.spanBuilder("ovis.requests.vision.v1 receive").setSpanKind(SpanKind.CONSUMER)
                    .setParent(Context.current().with(send)).setAttribute("messaging.system", "kafka").startSpan();
            consume.end();
            Span other = g.spanBuilder("another request").startSpan();
            other.end();

            // then the trace holds the three spans, parents linked, services named
            String traceId = server.getSpanContext().getTraceId();
            List<RecentSpans.SpanView> trace = spans.trace(traceId);
            assertThat(trace).extracting(RecentSpans.SpanView::service, RecentSpans.SpanView::kind).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("gateway-service", "SERVER"),
                    org.assertj.core.groups.Tuple.tuple("gateway-service", "PRODUCER"),
                    org.assertj.core.groups.Tuple.tuple("vision-service", "CONSUMER"));
            assertThat(trace.get(0).parentSpanId()).isNull();
            assertThat(trace.get(2).parentSpanId()).isEqualTo(send.getSpanContext().getSpanId());
            assertThat(trace.get(2).attributes()).containsEntry("messaging.system", "kafka");
            // and the list shows the newest trace first, each once, with its services
            List<RecentSpans.TraceSummary> recent = spans.recent(10);
            assertThat(recent).extracting(RecentSpans.TraceSummary::traceId)
                    .containsExactly(other.getSpanContext().getTraceId(), traceId);
            assertThat(recent.get(1).services()).containsExactlyInAnyOrder("gateway-service", "vision-service");
            assertThat(recent.get(1).spans()).isEqualTo(3);
            assertThat(recent.get(1).root()).isEqualTo("gateway-service: http post /v1/chat/completions");
        }
    }

    @Test
    void theOldestSpansGoFirstWhenFull() {
        RecentSpans spans = new RecentSpans(2);
        try (SdkTracerProvider provider = service("s", spans)) {
            Tracer t = provider.get("test");
            Span first = t.spanBuilder("1").startSpan();
            first.end();
            t.spanBuilder("2").startSpan().end();
            t.spanBuilder("3").startSpan().end();
            assertThat(spans.trace(first.getSpanContext().getTraceId())).isEmpty();
            assertThat(spans.recent(10)).hasSize(2);
            assertThat(spans.recent(1)).hasSize(1);
        }
    }
}
