package dev.ovis.serve.support.kafka;

import dev.ovis.serve.common.envelope.Envelope;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Builds consumers of {@code Envelope<T>} for one payload type. Connection settings come from
 * {@code spring.kafka.*}; offsets are committed by the container (never auto-commit), and a record
 * that cannot be deserialized goes to an {@link UnreadableRecordRecoverer} instead of looping.
 *
 * <p>For {@code @KafkaListener}s the auto-configuration registers ready factories named
 * {@code jobEventListenerContainerFactory}, {@code streamChunkListenerContainerFactory},
 * {@code cancelRequestListenerContainerFactory} and {@code stageRequestListenerContainerFactory}
 * (ack mode RECORD: the offset is committed when the listener returns normally; a listener that
 * throws is retried with back-off for up to ten minutes, then the record is logged and skipped).
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
     * A consumer factory for {@code Envelope<T>}: String keys, error-handling JSON values,
     * auto-commit off; {@code overrides} win over the base properties.
     */
    public <T> DefaultKafkaConsumerFactory<String, Envelope<T>> consumerFactory(Class<T> payloadType,
                                                                                 Map<String, Object> overrides) {
        Map<String, Object> properties = new HashMap<>(baseConsumerProperties);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.putAll(overrides);
        properties.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        properties.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        return new DefaultKafkaConsumerFactory<>(properties, new StringDeserializer(),
                new ErrorHandlingDeserializer<>(new EnvelopeDeserializer<>(json, payloadType)));
    }

    /**
     * A listener container factory for {@code @KafkaListener}s of {@code Envelope<T>} with ack mode
     * RECORD and the default error handling described on the class.
     */
    public <T> ConcurrentKafkaListenerContainerFactory<String, Envelope<T>> containerFactory(
            Class<T> payloadType, Map<String, Object> overrides) {
        ConcurrentKafkaListenerContainerFactory<String, Envelope<T>> factory = new ConcurrentKafkaListenerContainerFactory<>();
        factory.setConsumerFactory(consumerFactory(payloadType, overrides));
        factory.getContainerProperties().setAckMode(AckMode.RECORD);
        // Continue the trace of each record's traceparent header in a consumer span.
        factory.getContainerProperties().setObservationEnabled(true);
        factory.setCommonErrorHandler(errorHandler(defaultBackOff()));
        return factory;
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
