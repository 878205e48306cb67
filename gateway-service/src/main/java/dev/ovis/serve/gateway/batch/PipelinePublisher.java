package dev.ovis.serve.gateway.batch;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends result lines to pipelines: plain JSON values (not envelopes — this is a public interface)
 * keyed by {@code custom_id}, waiting for the broker's acknowledgement. It owns its producer, so
 * the suite's envelope producer stays the only {@code ProducerFactory} bean.
 */
class PipelinePublisher implements DisposableBean {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final DefaultKafkaProducerFactory<String, byte[]> producers;
    private final KafkaTemplate<String, byte[]> template;
    private final JsonMapper json;

    PipelinePublisher(Map<String, Object> producerProperties, JsonMapper json) {
        Map<String, Object> properties = new java.util.HashMap<>(producerProperties);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        properties.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        this.producers = new DefaultKafkaProducerFactory<>(properties, new StringSerializer(), new ByteArraySerializer());
        this.template = new KafkaTemplate<>(producers);
        this.json = json;
    }

    /** Sends {@code line} to {@code topic} under {@code key} and waits for the acknowledgement. */
    void send(String topic, String key, ObjectNode line) {
        try {
            template.send(topic, key, json.writeValueAsBytes(line)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while sending to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("could not send a result to " + topic, e);
        }
    }

    @Override
    public void destroy() {
        producers.destroy();
    }
}
