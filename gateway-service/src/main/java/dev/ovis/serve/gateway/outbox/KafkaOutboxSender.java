package dev.ovis.serve.gateway.outbox;

import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.support.kafka.EnvelopeJson;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.observability.TraceParents;
import java.util.concurrent.CompletableFuture;

/**
 * Sends outbox rows through service-support's {@link EnvelopePublisher} (the suite's one
 * idempotent, acks=all producer): the stored JSON is read back as the envelope type of its topic
 * and published keyed by the job id.
 */
class KafkaOutboxSender implements OutboxSender {

    private final EnvelopePublisher publisher;
    private final EnvelopeJson json;
    private final TraceParents traces;

    KafkaOutboxSender(EnvelopePublisher publisher, EnvelopeJson json, TraceParents traces) {
        this.publisher = publisher;
        this.json = json;
        this.traces = traces;
    }

    @Override
    public CompletableFuture<?> send(OutboxMessage message) {
        Class<?> payload = EnvelopeJson.payloadTypeOf(message.topic()).orElse(null);
        if (payload == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no envelope type for topic " + message.topic()));
        }
        Envelope<?> envelope = json.mapper().readValue(message.envelope(), json.envelopeOf(payload));
        // In a span continuing the writing request's trace: the producer span (and the traceparent
        // header the next stage continues) belong to that request; the outbox wait shows as a gap.
        return traces.within(message.traceparent(), "outbox publish " + message.topic(),
                () -> publisher.publishAsync(message.topic(), envelope));
    }
}
