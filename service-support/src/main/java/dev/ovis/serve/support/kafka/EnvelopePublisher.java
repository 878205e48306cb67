package dev.ovis.serve.support.kafka;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.envelope.Envelope;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes envelopes on the suite's topics, keyed by the job id ({@link Envelope#subject()}), so
 * every message of a job lands on one partition and keeps its order (the producer is idempotent,
 * acks=all). The {@link Topic} fixes the payload type: an envelope can only go where it belongs.
 */
public interface EnvelopePublisher {

    /**
     * Publishes and waits for the broker's acknowledgement ({@code ovis.kafka.publish-timeout}).
     *
     * @throws PublishException when the broker did not acknowledge in time or refused the message
     */
    <T> void publish(Topic<T> topic, Envelope<T> envelope);

    /**
     * Publishes without waiting. The future completes when the broker acknowledged, or
     * exceptionally with a {@link PublishException}.
     */
    <T> CompletableFuture<Void> publishAsync(Topic<T> topic, Envelope<T> envelope);

    /**
     * Publishes an envelope serialized earlier by {@link EnvelopeSerializer} (a row of the gateway's
     * outbox) exactly as given, without waiting; failures as for {@link #publishAsync}.
     *
     * @param topic the topic name the bytes were written for
     * @param key   the record key (the envelope's subject, the job id)
     * @param value the envelope's JSON, sent as is
     */
    CompletableFuture<Void> publishSerializedAsync(String topic, String key, byte[] value);
}
