package dev.ovis.serve.gateway.batch;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.gateway.auth.ApiKeys;
import dev.ovis.serve.gateway.job.JobService;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.backoff.ExponentialBackOff;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Kafka interface for pipelines: its two topics, the consumer of requests (group
 * {@code ovis-gateway-pipeline}, one record at a time; a record that cannot be handled — database
 * or broker down — is retried with back-off), the publisher of results and the runner. Off with
 * {@code ovis.gateway.pipeline.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "ovis.gateway.pipeline.enabled", matchIfMissing = true)
class PipelineConfiguration {

    static final String GROUP = "ovis-gateway-pipeline";

    @Bean
    NewTopic batchRequestsTopic(PipelineProperties properties) {
        return TopicBuilder.name(Topics.BATCH_REQUESTS).partitions(properties.partitions()).build();
    }

    @Bean
    NewTopic batchResultsTopic(PipelineProperties properties) {
        return TopicBuilder.name(Topics.BATCH_RESULTS).partitions(properties.partitions()).build();
    }

    @Bean
    PipelinePublisher pipelinePublisher(KafkaProperties kafka, ObjectProvider<KafkaConnectionDetails> connection, JsonMapper json) {
        Map<String, Object> properties = kafka.buildProducerProperties();
        connection.ifAvailable(details -> properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                details.getProducer().getBootstrapServers()));
        return new PipelinePublisher(properties, json);
    }

    @Bean
    PipelineRunner pipelineRunner(PipelineRepository requests, PipelinePublisher publisher, LineRequests lineRequests,
                                  JobService jobs, TransactionTemplate transactions, PipelineProperties properties,
                                  BatchProperties batch, JsonMapper json) {
        return new PipelineRunner(requests, publisher, lineRequests, jobs, transactions, properties, batch, new BatchLines(json));
    }

    @Bean
    ConcurrentMessageListenerContainer<String, byte[]> pipelineRequestsContainer(
            KafkaProperties kafka, ObjectProvider<KafkaConnectionDetails> connection, ApiKeys keys,
            PipelineRepository requests, PipelinePublisher publisher, PipelineProperties properties, JsonMapper json) {
        Map<String, Object> consumer = kafka.buildConsumerProperties();
        connection.ifAvailable(details -> consumer.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                details.getConsumer().getBootstrapServers()));
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        consumer.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        ContainerProperties container = new ContainerProperties(Topics.BATCH_REQUESTS);
        container.setGroupId(GROUP);
        container.setAckMode(ContainerProperties.AckMode.RECORD);
        // observed like every listener of the gateway (one kind of spring.kafka.listener meter per registry)
        container.setObservationEnabled(true);
        container.setMessageListener(new PipelineListener(keys, requests, publisher, properties, json));
        ConcurrentMessageListenerContainer<String, byte[]> listener = new ConcurrentMessageListenerContainer<>(
                new DefaultKafkaConsumerFactory<>(consumer, new StringDeserializer(), new ByteArrayDeserializer()), container);
        ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
        backOff.setMaxInterval(10_000);
        listener.setCommonErrorHandler(new DefaultErrorHandler(backOff));
        listener.setBeanName(GROUP + "-" + Topics.BATCH_REQUESTS);
        return listener;
    }
}
