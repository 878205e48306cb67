package dev.ovis.serve.gateway.outbox;

/**
 * A row of the {@code outbox} table waiting to be published.
 *
 * @param id       row id (publishing order)
 * @param topic    Kafka topic
 * @param key      Kafka record key (the job id, so a job's messages stay in order on one partition)
 * @param envelope the envelope as JSON, published as is
 * @param attempts failed publishing attempts so far
 * @param traceparent W3C trace context of the request that wrote the row, null when untraced
 */
public record OutboxMessage(long id, String topic, String key, String envelope, int attempts, String traceparent) {

    public OutboxMessage(long id, String topic, String key, String envelope, int attempts) {
        this(id, topic, key, envelope, attempts, null);
    }
}
