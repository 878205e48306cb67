package dev.ovis.serve.gateway.model;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.model.ModelInfo;
import dev.ovis.serve.gateway.GatewayProperties;
import dev.ovis.serve.support.kafka.EnvelopeListenerFactory;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.MessageListener;

/**
 * Reads model announcements into the {@link ModelCatalog}: every gateway instance reads the whole
 * compacted topic in a group of its own, so each knows every model.
 */
@Configuration(proxyBeanMethods = false)
class ModelCatalogConfiguration {

    @Bean
    ModelCatalog modelCatalog(@Value("${ovis.gateway.models.ttl:2m}") java.time.Duration ttl) {
        return new ModelCatalog(ttl, Clock.systemUTC());
    }

    @Bean
    ConcurrentMessageListenerContainer<String, Envelope<ModelInfo>> modelAnnouncementsContainer(
            EnvelopeListenerFactory factory, ModelCatalog catalog, GatewayProperties properties) {
        String group = "ovis-gateway-models-" + properties.instanceId() + "-" + UUID.randomUUID();
        ContainerProperties container = new ContainerProperties(Topics.MODELS.name());
        container.setGroupId(group);
        container.setAckMode(ContainerProperties.AckMode.RECORD);
        // observed like every listener of the gateway (one kind of spring.kafka.listener meter per registry)
        container.setObservationEnabled(true);
        container.setMessageListener((MessageListener<String, Envelope<ModelInfo>>) record -> {
            if (record.value() != null) {
                catalog.announce(record.value().data());
            }
        });
        ConcurrentMessageListenerContainer<String, Envelope<ModelInfo>> listener = new ConcurrentMessageListenerContainer<>(
                factory.consumerFactory(Topics.MODELS, Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")), container);
        listener.setCommonErrorHandler(factory.errorHandler(EnvelopeListenerFactory.defaultBackOff()));
        listener.setBeanName("ovis-gateway-models");
        return listener;
    }
}
