package dev.ovis.serve.testing;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import dev.ovis.serve.support.kafka.EnvelopeJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Plays the far side of topics in tests: a real consumer of the shared test Kafka (own group, from
 * the beginning) that records every record of its topics on its own thread, so a test awaits the
 * ones of its job ({@link #envelopes}, {@link #records}) instead of writing a poll loop. Open it
 * once the application has created the suite's topics: it never auto-creates one.
 */
public final class TopicRecorder implements AutoCloseable {

    private static final EnvelopeJson JSON = new EnvelopeJson();

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> received = new CopyOnWriteArrayList<>();
    private final Thread poller;
    private volatile boolean closed;

    /** Records the envelope topics {@code topics}. */
    public TopicRecorder(Topic<?>... topics) {
        this(Arrays.stream(topics).map(Topic::name).toArray(String[]::new));
    }

    /** Records topics by name: the batch topics, whose values are not envelopes. */
    public TopicRecorder(String... topics) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.get().kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-recorder-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false",
                ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1000),
                new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topics));
        poller = Thread.ofPlatform().daemon().name("recorder-" + String.join(",", topics)).start(this::poll);
    }

    private void poll() {
        try {
            while (!closed) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    /** Every record received so far, in arrival order. */
    public List<ConsumerRecord<String, byte[]>> records() {
        return List.copyOf(received);
    }

    /** The records received so far on {@code topic} under record key {@code key}. */
    public List<ConsumerRecord<String, byte[]>> records(String topic, String key) {
        return received.stream().filter(r -> r.topic().equals(topic) && Objects.equals(key, r.key())).toList();
    }

    /** The records received so far on {@code topic} under record key {@code key}. */
    public List<ConsumerRecord<String, byte[]>> records(Topic<?> topic, String key) {
        return records(topic.name(), key);
    }

    /** The envelopes received so far on {@code topic}, read as its payload type, in arrival order. */
    public <T> List<Envelope<T>> envelopes(Topic<T> topic) {
        return received.stream().filter(r -> r.topic().equals(topic.name()))
                .map(r -> JSON.mapper().<Envelope<T>>readValue(r.value(), JSON.envelopeOf(topic)))
                .toList();
    }

    /** The envelopes received so far on {@code topic} whose subject (the job id) is {@code subject}. */
    public <T> List<Envelope<T>> envelopes(Topic<T> topic, String subject) {
        return envelopes(topic).stream().filter(envelope -> envelope.subject().equals(subject)).toList();
    }

    /** A record's value as UTF-8 text. */
    public static String text(ConsumerRecord<String, byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        poller.join(5_000);
    }
}
