package dev.ovis.serve.support.kafka;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.envelope.Envelope;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Builds consumers of the envelopes of one {@link Topic}, typed by its payload type. Connection
 * settings come from {@code spring.kafka.*}; offsets are committed by the container (never
 * auto-commit), and a record that cannot be deserialized goes to an {@link
 * UnreadableRecordRecoverer} instead of looping ({@link #errorHandler}).
 */
public final class EnvelopeListenerFactory {

    private final Map<String, Object> baseConsumerProperties;
    private final EnvelopeJson json;
    private final ConsumerRecordRecoverer recoverer;

    public EnvelopeListenerFactory(Map<String, Object> baseConsumerProperties, EnvelopeJson json,
                                   ConsumerRecordRecoverer recoverer) {
        this.baseConsumerProperties = Map.copyOf(baseConsumerProperties);
        this.json = json;
        this.recoverer = recoverer;
    }

    /** The consumer properties every factory starts from (bootstrap servers and {@code spring.kafka.consumer.*}). */
    public Map<String, Object> baseConsumerProperties() {
        return baseConsumerProperties;
    }

    /**
     * A consumer factory for the {@code Envelope<T>}s of {@code topic}: String keys, error-handling
     * JSON values of the topic's payload type, auto-commit off; {@code overrides} win over the base
     * properties. Subscribe the container to {@code topic.name()}.
     */
    public <T> DefaultKafkaConsumerFactory<String, Envelope<T>> consumerFactory(Topic<T> topic,
                                                                                 Map<String, Object> overrides) {
        Map<String, Object> properties = new HashMap<>(baseConsumerProperties);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.putAll(overrides);
        properties.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        properties.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        return new DefaultKafkaConsumerFactory<>(properties, new StringDeserializer(),
                new ErrorHandlingDeserializer<>(new EnvelopeDeserializer<>(json, topic)));
    }

    /**
     * The error handler used everywhere: retries a failing listener with {@code backOff}, then hands
     * the record to the recoverer; an unreadable record goes to the recoverer at once. Recovered
     * offsets are committed.
     */
    public DefaultErrorHandler errorHandler(BackOff backOff) {
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
        handler.setCommitRecovered(true);
        return handler;
    }

    /** 1 s doubling to 30 s, for at most ten minutes. */
    public static BackOff defaultBackOff() {
        ExponentialBackOff backOff = new ExponentialBackOff(1_000, 2.0);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(Duration.ofMinutes(10).toMillis());
        return backOff;
    }

}
