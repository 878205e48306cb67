package dev.ovis.serve.gateway.outbox;

import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.support.kafka.EnvelopeJson;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import java.util.concurrent.CompletableFuture;

/**
 * Sends outbox rows through service-support's {@link EnvelopePublisher} (the suite's one
 * idempotent, acks=all producer): the stored JSON is read back as the envelope type of its topic
 * and published keyed by the job id.
 */
class KafkaOutboxSender implements OutboxSender {

    private final EnvelopePublisher publisher;
    private final EnvelopeJson json;

    KafkaOutboxSender(EnvelopePublisher publisher, EnvelopeJson json) {
        this.publisher = publisher;
        this.json = json;
    }

    @Override
    public CompletableFuture<?> send(OutboxMessage message) {
        Class<?> payload = EnvelopeJson.payloadTypeOf(message.topic()).orElse(null);
        if (payload == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no envelope type for topic " + message.topic()));
        }
        Envelope<?> envelope = json.mapper().readValue(message.envelope(), json.envelopeOf(payload));
        return publisher.publishAsync(message.topic(), envelope);
    }
}
