package dev.ovis.serve.support.kafka;

import dev.ovis.serve.common.envelope.Envelope;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes envelopes on the suite's topics, keyed by the job id ({@link Envelope#subject()}), so
 * every message of a job lands on one partition and keeps its order (the producer is idempotent,
 * acks=all).
 */
public interface EnvelopePublisher {

    /**
     * Publishes and waits for the broker's acknowledgement ({@code ovis.kafka.publish-timeout}).
     *
     * @throws PublishException when the broker did not acknowledge in time or refused the message
     */
    void publish(String topic, Envelope<?> envelope);

    /**
     * Publishes without waiting. The future completes when the broker acknowledged, or
     * exceptionally with a {@link PublishException}.
     */
    CompletableFuture<Void> publishAsync(String topic, Envelope<?> envelope);
}
