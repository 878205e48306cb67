package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.gateway.BlockingSchedulers;
import dev.ovis.serve.gateway.GatewayProperties;
import dev.ovis.serve.gateway.problem.ProblemExceptionHandler;
import dev.ovis.serve.support.kafka.EnvelopeJson;
import dev.ovis.serve.support.kafka.EnvelopeListenerFactory;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.kafka.UnreadableRecordRecoverer;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.ExponentialBackOffWithMaxRetries;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The gateway's Kafka consumers, built on service-support's envelope consumer factories: job
 * events in group {@code ovis-gateway} (ack per record; an event that fails because PostgreSQL is
 * unreachable is retried without limit, since dropping a terminal event would strand its job, while
 * one PostgreSQL rejects is tried {@code jobs.event-max-attempts} times and then dead-lettered with
 * its job failed, so it cannot block its partition for ever — {@link JobEventDeadLetters}), and
 * this instance's stream topic in a group of its own, starting at the end. Also the push of job
 * changes from PostgreSQL to this instance's event streams ({@link JobNotifications}).
 */
@Configuration(proxyBeanMethods = false)
class JobMessagingConfiguration {

    static final String GROUP = "ovis-gateway";

    @Bean
    JobSinks<Job> jobUpdates() {
        return new JobSinks<>();
    }

    @Bean
    JobSinks<StreamChunk> streamChunks() {
        return new JobSinks<>(true);
    }

    @Bean
    JobNotifications jobNotifications(DataSourceProperties database, JobRepository jobs, JobSinks<Job> jobUpdates,
                                      BlockingSchedulers schedulers, JobNotificationsProperties settings, MeterRegistry meters) {
        return new JobNotifications(database, jobs, jobUpdates, schedulers, settings, meters);
    }

    @Bean
    NewTopic gatewayStreamTopic(GatewayProperties properties) {
        return TopicBuilder.name(Topics.stream(properties.instanceId()).name()).partitions(1).build();
    }

    @Bean
    ConcurrentMessageListenerContainer<String, Envelope<JobEvent>> jobEventsContainer(
            EnvelopeListenerFactory factory, JobService jobs, JobsProperties settings, EnvelopePublisher publisher,
            EnvelopeJson json, UnreadableRecordRecoverer unreadable, MeterRegistry meters) {
        int maxAttempts = settings.eventMaxAttempts();
        ExponentialBackOffWithMaxRetries rejected = new ExponentialBackOffWithMaxRetries(maxAttempts - 1);
        rejected.setInitialInterval(200);
        rejected.setMultiplier(2.0);
        rejected.setMaxInterval(10_000);
        ExponentialBackOff unreachable = new ExponentialBackOff(200, 2.0);
        unreachable.setMaxInterval(10_000);
        DefaultErrorHandler errors = new DefaultErrorHandler(
                new JobEventDeadLetters(jobs, publisher, json, unreadable, maxAttempts, meters), rejected);
        errors.setCommitRecovered(true);
        // null: the default (bounded) back-off
        errors.setBackOffFunction((record, error) -> ProblemExceptionHandler.databaseUnreachable(error) ? unreachable : null);
        ConcurrentMessageListenerContainer<String, Envelope<JobEvent>> container = container(factory,
                Topics.JOB_EVENTS, GROUP, "earliest", rejected, new JobEventsListener(jobs));
        container.setCommonErrorHandler(errors);
        return container;
    }

    @Bean
    ConcurrentMessageListenerContainer<String, Envelope<StreamChunk>> streamChunksContainer(EnvelopeListenerFactory factory,
                                                                                            JobService jobs,
                                                                                            GatewayProperties properties) {
        // chunks older than this instance's start have no client waiting for them: start at the end
        return container(factory, Topics.stream(properties.instanceId()),
                GROUP + "-" + properties.instanceId(), "latest", EnvelopeListenerFactory.defaultBackOff(),
                new StreamChunksListener(jobs));
    }

    private static <T> ConcurrentMessageListenerContainer<String, Envelope<T>> container(
            EnvelopeListenerFactory factory, Topic<T> topic, String group, String offsetReset,
            BackOff backOff, MessageListener<String, Envelope<T>> listener) {
        ContainerProperties properties = new ContainerProperties(topic.name());
        properties.setGroupId(group);
        properties.setAckMode(ContainerProperties.AckMode.RECORD);
        properties.setMessageListener(listener);
        // a CONSUMER span continuing the record's traceparent: the way back to the client shows in the trace
        properties.setObservationEnabled(true);
        ConcurrentMessageListenerContainer<String, Envelope<T>> container = new ConcurrentMessageListenerContainer<>(
                factory.consumerFactory(topic, Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset)), properties);
        container.setCommonErrorHandler(factory.errorHandler(backOff));
        container.setBeanName(group + "-" + topic.name());
        return container;
    }
}
