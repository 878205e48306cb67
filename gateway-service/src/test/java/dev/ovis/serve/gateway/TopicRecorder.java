package dev.ovis.serve.gateway;

import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import dev.ovis.serve.support.kafka.EnvelopeJson;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Plays the far side of a topic in tests: a real consumer (own group, from the beginning) that
 * records every envelope on the topic, so a test can await the ones of its job.
 */
public final class TopicRecorder<T> implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Envelope<T>> received = new CopyOnWriteArrayList<>();
    private final Thread poller;
    private final EnvelopeJson json = new EnvelopeJson();
    private volatile boolean closed;

    public TopicRecorder(String topic, Class<T> payload) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.get().kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1000),
                new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        poller = Thread.ofPlatform().daemon().name("recorder-" + topic).start(() -> poll(payload));
    }

    private void poll(Class<T> payload) {
        try {
            while (!closed) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    received.add(json.mapper().readValue(record.value(), json.envelopeOf(payload)));
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    /** Envelopes received so far whose subject (job id) is {@code jobId}. */
    public List<Envelope<T>> of(String jobId) {
        return received.stream().filter(envelope -> envelope.subject().equals(jobId)).toList();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        poller.join(5_000);
    }
}
