package dev.ovis.serve.support.kafka;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.job.Stage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;

/**
 * The suite's Kafka plumbing: the envelope JSON serde, one idempotent producer shared by all
 * publishers ({@code KafkaTemplate<String, Object>}: envelopes, or envelope bytes serialized
 * earlier; key = job id, acks=all), the {@link EnvelopePublisher}, the {@link
 * EnvelopeListenerFactory} that builds consumers from a {@link Topic}, and the suite's topics
 * (created at start-up by Boot's {@link KafkaAdmin}). Runs before Boot's Kafka auto-configuration
 * so that its template and producer factory take the place of Boot's untyped ones.
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
@EnableConfigurationProperties({KafkaProperties.class, OvisKafkaProperties.class})
public class KafkaSupportAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    EnvelopeJson envelopeJson() {
        return new EnvelopeJson();
    }

    @Bean
    @ConditionalOnMissingBean(ProducerFactory.class)
    DefaultKafkaProducerFactory<String, Object> envelopeProducerFactory(
            KafkaProperties kafka, ObjectProvider<KafkaConnectionDetails> connection, EnvelopeJson json,
            OvisKafkaProperties ovis) {
        Map<String, Object> properties = kafka.buildProducerProperties();
        properties.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.toIntExact(ovis.maxRequestSize().toBytes()));
        // Kafka 4 waits 5 ms by default to fill a batch; every hop of an interactive request would pay
        // it. Under load records still share batches (they queue while a request is in flight).
        properties.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        connection.ifAvailable(details -> {
            properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, details.getProducer().getBootstrapServers());
            if (details.getProducer().getSecurityProtocol() != null) {
                properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, details.getProducer().getSecurityProtocol());
            }
        });
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        properties.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        // An envelope is written as JSON; bytes that EnvelopeSerializer wrote earlier (the gateway's
        // outbox rows) go out exactly as stored, through the same producer.
        Map<Class<?>, Serializer<?>> values = new LinkedHashMap<>();
        values.put(Envelope.class, new EnvelopeSerializer(json));
        values.put(byte[].class, new ByteArraySerializer());
        return new DefaultKafkaProducerFactory<>(properties, new StringSerializer(), new DelegatingByTypeSerializer(values));
    }

    @Bean
    @ConditionalOnMissingBean(name = "kafkaTemplate")
    KafkaTemplate<String, Object> kafkaTemplate(ProducerFactory<String, Object> producerFactory) {
        KafkaTemplate<String, Object> template = new KafkaTemplate<>(producerFactory);
        // A producer span per send, its W3C traceparent in the record headers: the consumer's span continues it.
        template.setObservationEnabled(true);
        return template;
    }

    @Bean
    @ConditionalOnMissingBean
    EnvelopePublisher envelopePublisher(KafkaTemplate<String, Object> kafkaTemplate, OvisKafkaProperties properties) {
        return new KafkaEnvelopePublisher(kafkaTemplate, properties.publishTimeout());
    }

    @Bean
    @ConditionalOnMissingBean
    UnreadableRecordRecoverer unreadableRecordRecoverer(EnvelopePublisher publisher, EnvelopeJson json,
                                                        @Value("${spring.application.name:ovis-serve}") String source) {
        return new UnreadableRecordRecoverer(publisher, json, source);
    }

    @Bean
    @ConditionalOnMissingBean
    EnvelopeListenerFactory envelopeListenerFactory(KafkaProperties kafka, ObjectProvider<KafkaConnectionDetails> connection,
                                                    EnvelopeJson json, UnreadableRecordRecoverer recoverer) {
        Map<String, Object> properties = kafka.buildConsumerProperties();
        connection.ifAvailable(details -> {
            properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, details.getConsumer().getBootstrapServers());
            if (details.getConsumer().getSecurityProtocol() != null) {
                properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, details.getConsumer().getSecurityProtocol());
            }
        });
        return new EnvelopeListenerFactory(properties, json, recoverer);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "ovis.kafka.create-topics", matchIfMissing = true)
    KafkaAdmin.NewTopics ovisTopics(OvisKafkaProperties properties) {
        List<NewTopic> topics = new ArrayList<>();
        for (Stage stage : Stage.values()) {
            topics.add(topic(Topics.requests(stage), properties.requestPartitions(), properties));
        }
        topics.add(topic(Topics.JOB_EVENTS, properties.jobEventPartitions(), properties));
        topics.add(topic(Topics.CONTROL, 1, properties));
        // read by operators, in order: one partition is plenty for records the suite gave up on
        topics.add(topic(Topics.DEAD_LETTERS, 1, properties));
        // latest announcement per model id is all that matters: compacted
        topics.add(builder(Topics.MODELS, 1, properties).compact().build());
        return new KafkaAdmin.NewTopics(topics.toArray(NewTopic[]::new));
    }

    private static NewTopic topic(Topic<?> topic, int partitions, OvisKafkaProperties properties) {
        return builder(topic, partitions, properties).build();
    }

    private static TopicBuilder builder(Topic<?> topic, int partitions, OvisKafkaProperties properties) {
        TopicBuilder builder = TopicBuilder.name(topic.name()).partitions(partitions);
        if (properties.replicationFactor() != null) {
            builder.replicas(properties.replicationFactor());
        }
        return builder;
    }
}
