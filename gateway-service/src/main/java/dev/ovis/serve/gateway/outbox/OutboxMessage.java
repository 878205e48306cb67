package dev.ovis.serve.gateway.outbox;

/**
 * A row of the {@code outbox} table waiting to be published.
 *
 * @param id       row id (publishing order)
 * @param topic    Kafka topic
 * @param key      Kafka record key (the job id, so a job's messages stay in order on one partition)
 * @param envelope the envelope's JSON as the producer's serializer wrote it (or, for a row older than
 *                 that, PostgreSQL's jsonb text of it), published byte for byte
 * @param attempts failed publishing attempts so far
 * @param traceparent W3C trace context of the request that wrote the row, null when untraced
 */
public record OutboxMessage(long id, String topic, String key, byte[] envelope, int attempts, String traceparent) {

    public OutboxMessage(long id, String topic, String key, byte[] envelope, int attempts) {
        this(id, topic, key, envelope, attempts, null);
    }
}
