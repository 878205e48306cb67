package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.support.kafka.EnvelopeListenerFactory;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.kafka.KafkaSupportAutoConfiguration;
import dev.ovis.serve.support.kafka.OvisKafkaProperties;
import dev.ovis.serve.support.kafka.UnreadableRecordRecoverer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The stage runtime: for every stage with {@link StageHandler} beans, a consumer of its request
 * topic running them (see {@link StageListeners}); with none but {@code ovis.stage.name} set, an
 * {@link UnavailableStageHandler} so the stage still answers. A gateway (no handler, no stage
 * name) gets nothing from here but an idle bean.
 */
@AutoConfiguration(after = KafkaSupportAutoConfiguration.class)
@EnableConfigurationProperties(StageProperties.class)
public class StageRuntimeAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(StageRuntimeAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean(StageHandler.class)
    @ConditionalOnProperty("ovis.stage.name")
    UnavailableStageHandler unavailableStageHandler(StageProperties properties) {
        log.warn("No handler for the {} stage in this deployment: every {} job will fail with UNSUPPORTED_JOB",
                properties.name(), properties.name());
        return new UnavailableStageHandler(properties.name());
    }

    @Bean
    @ConditionalOnMissingBean
    JobsNotToRun jobsNotToRun(StageProperties properties) {
        return new JobsNotToRun(properties.cancelledJobs(), properties.cancelledTtl());
    }

    @Bean
    StageHeartbeats stageHeartbeats() {
        return new StageHeartbeats();
    }

    @Bean
    StageListeners stageListeners(ObjectProvider<StageHandler<?>> handlers, EnvelopeListenerFactory factory,
                                  EnvelopePublisher publisher, UnreadableRecordRecoverer unreadable,
                                  JobsNotToRun jobsNotToRun, StageProperties properties,
                                  OvisKafkaProperties kafkaProperties, ObjectProvider<MeterRegistry> meterRegistry,
                                  ObjectProvider<ObservationRegistry> observationRegistry,
                                  @Value("${spring.application.name:ovis-serve}") String source,
                                  StageHeartbeats heartbeats) {
        MeterRegistry registry = meterRegistry.getIfAvailable(SimpleMeterRegistry::new);
        AtomicBoolean stopping = new AtomicBoolean();
        Map<Stage, List<StageHandler<?>>> byStage = new LinkedHashMap<>();
        handlers.orderedStream().forEach(handler -> byStage.computeIfAbsent(handler.stage(), s -> new ArrayList<>()).add(handler));
        List<StageProcessor> processors = byStage.entrySet().stream().map(entry -> {
            if (properties.name() != null && properties.name() != entry.getKey()) {
                log.warn("ovis.stage.name is {} but a handler serves {}", properties.name(), entry.getKey());
            }
            return new StageProcessor(entry.getValue(), publisher, jobsNotToRun, properties,
                    new StageMetrics(registry, entry.getKey()), source, sendTimeout(kafkaProperties),
                    System::nanoTime, StageRuntimeAutoConfiguration::sleep, stopping::get, heartbeats.executor());
        }).toList();
        return new StageListeners(processors, factory, publisher, unreadable, jobsNotToRun, properties, source, stopping,
                registry, observationRegistry.getIfAvailable(() -> ObservationRegistry.NOOP));
    }

    private static Duration sendTimeout(OvisKafkaProperties kafkaProperties) {
        return kafkaProperties.publishTimeout();
    }

    private static boolean sleep(Duration duration) {
        try {
            Thread.sleep(duration);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthConfiguration {

        @Bean
        StageConsumersHealthIndicator stageConsumersHealthIndicator(StageListeners listeners) {
            return new StageConsumersHealthIndicator(listeners);
        }
    }
}
