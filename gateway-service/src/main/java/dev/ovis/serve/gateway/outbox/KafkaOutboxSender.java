package dev.ovis.serve.gateway.outbox;

import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.observability.TraceParents;
import java.util.concurrent.CompletableFuture;

/**
 * Sends outbox rows through service-support's {@link EnvelopePublisher} (the suite's one
 * idempotent, acks=all producer): the stored bytes are the record's value as they are, keyed by
 * the job id; nothing is parsed or serialized again.
 */
class KafkaOutboxSender implements OutboxSender {

    private final EnvelopePublisher publisher;
    private final TraceParents traces;

    KafkaOutboxSender(EnvelopePublisher publisher, TraceParents traces) {
        this.publisher = publisher;
        this.traces = traces;
    }

    @Override
    public CompletableFuture<?> send(OutboxMessage message) {
        // In a span continuing the writing request's trace: the producer span (and the traceparent
        // header the next stage continues) belong to that request; the outbox wait shows as a gap.
        return traces.within(message.traceparent(), "outbox publish " + message.topic(),
                () -> publisher.publishSerializedAsync(message.topic(), message.key(), message.envelope()));
    }
}
