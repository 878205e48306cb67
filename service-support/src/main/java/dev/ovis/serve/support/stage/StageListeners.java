package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.CancelRequest;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.support.kafka.EnvelopeListenerFactory;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.kafka.UnreadableRecordRecoverer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.listener.AcknowledgingMessageListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.serializer.DeserializationException;

/**
 * The Kafka side of the stage runtime: one request container per {@link StageProcessor} (group
 * {@code ovis-<stage>}, one record per poll, offset committed once the broker acknowledged the
 * job's RUNNING event — from then on the gateway's lease covers the job — or, for a request that
 * ends without running, after its outcome) and one control container that records the jobs not to
 * run: cancelled, or announced finished by the gateway (own group per instance, newest offsets
 * only). Started and stopped with the application context.
 */
public final class StageListeners implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StageListeners.class);

    private static final String CONTROL = "control";

    private final Map<String, MessageListenerContainer> containers = new LinkedHashMap<>();
    private final List<StageProcessor> processors;
    private final Duration drainTimeout;
    private final AtomicBoolean stopping;
    private volatile boolean running;

    StageListeners(List<StageProcessor> processors, EnvelopeListenerFactory factory, EnvelopePublisher publisher,
                   UnreadableRecordRecoverer unreadable, JobsNotToRun jobsNotToRun, StageProperties properties,
                   String source, AtomicBoolean stopping, MeterRegistry meters, ObservationRegistry observations) {
        this.stopping = stopping;
        this.processors = List.copyOf(processors);
        this.drainTimeout = properties.drainTimeout();
        List<String> stageNames = new ArrayList<>();
        for (StageProcessor processor : processors) {
            String stage = processor.stage().name().toLowerCase(Locale.ROOT);
            stageNames.add(stage);
            containers.put(stage, requestContainer(processor, factory, publisher, unreadable, properties, source,
                    meters, observations));
        }
        if (!processors.isEmpty()) {
            containers.put(CONTROL, controlContainer(String.join("-", stageNames), factory, jobsNotToRun));
        }
    }

    private static MessageListenerContainer requestContainer(StageProcessor processor, EnvelopeListenerFactory factory,
                                                             EnvelopePublisher publisher,
                                                             UnreadableRecordRecoverer unreadable,
                                                             StageProperties properties, String source,
                                                             MeterRegistry meters, ObservationRegistry observations) {
        String stage = processor.stage().name().toLowerCase(Locale.ROOT);
        Map<String, Object> overrides = Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "ovis-" + stage,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1,
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE,
                        properties.maxPollInterval().toMillis()),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        ContainerProperties containerProperties = new ContainerProperties(Topics.requests(processor.stage()).name());
        containerProperties.setAckMode(AckMode.MANUAL_IMMEDIATE);
        // The early commit (once RUNNING is acknowledged) is sent without waiting for the broker's
        // answer: the consumer writes the commit request before the handler starts, so a worker
        // that dies in the handler has still handed the request over, and the handler does not wait
        // a second round trip. A commit lost all the same (the broker gone at that instant) means one
        // redelivery, which the gateway's event ids and the stream's sequence numbers absorb.
        containerProperties.setSyncCommits(false);
        // The listener span continues the trace of the request's traceparent header (W3C), so the
        // Kafka wait shows between the producer's span and this one.
        containerProperties.setObservationEnabled(true);
        containerProperties.setObservationRegistry(observations);
        containerProperties.setMessageListener(
                (AcknowledgingMessageListener<String, Envelope<StageRequest>>) (record, ack) -> {
                    processor.taken(Duration.ofMillis(System.currentTimeMillis() - record.timestamp()));
                    Runnable commit = once(ack);
                    processor.process(record.value().id(), record.value().data(), commit);
                    commit.run();
                });
        DefaultKafkaConsumerFactory<String, Envelope<StageRequest>> consumers =
                factory.consumerFactory(Topics.requests(processor.stage()), overrides);
        // The Kafka client's own metrics, records-lag-max among them: the per-stage consumer lag.
        consumers.addListener(new MicrometerConsumerListener<>(meters, List.of(Tag.of("stage", stage))));
        ConcurrentMessageListenerContainer<String, Envelope<StageRequest>> container =
                new ConcurrentMessageListenerContainer<>(consumers, containerProperties);
        container.setConcurrency(properties.concurrency());
        container.setBeanName("ovis-" + stage + "-requests");
        // A record whose outcome could not be published is retried with back-off; after that, say so.
        DefaultErrorHandler errorHandler = new DefaultErrorHandler(
                (record, error) -> giveUp(record, error, processor, publisher, unreadable, source),
                EnvelopeListenerFactory.defaultBackOff());
        errorHandler.setCommitRecovered(true);
        container.setCommonErrorHandler(errorHandler);
        return container;
    }

    private static void giveUp(ConsumerRecord<?, ?> record, Exception error, StageProcessor processor,
                               EnvelopePublisher publisher, UnreadableRecordRecoverer unreadable, String source) {
        if (isUnreadable(error) || !(record.key() instanceof String jobId) || jobId.isBlank()) {
            unreadable.accept(record, error);
            return;
        }
        log.error("Job {}: giving up on {}-{}@{} after retries", jobId, record.topic(), record.partition(),
                record.offset(), error);
        String stage = processor.stage().name().toLowerCase(Locale.ROOT);
        Failure failure = new Failure(ErrorCode.UNAVAILABLE, "the " + stage
                + " stage could not publish the job's outcome: " + error.getMessage());
        try {
            publisher.publish(Topics.JOB_EVENTS, Envelope.withId(jobId + ":" + stage + ":failed", EventTypes.JOB_FAILED,
                    source, jobId, JobEvent.failed(jobId, processor.stage(), failure)));
        } catch (RuntimeException e) {
            log.error("Job {}: could not report the failure either: {}", jobId, e.toString());
        }
    }

    /** Commits the record's offset at most once per delivery: early (after RUNNING) or after the outcome. */
    private static Runnable once(Acknowledgment ack) {
        if (ack == null) {
            return () -> { };
        }
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                ack.acknowledge();
            }
        };
    }

    private static boolean isUnreadable(Throwable error) {
        return causedBy(error, DeserializationException.class);
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static MessageListenerContainer controlContainer(String stages, EnvelopeListenerFactory factory,
                                                             JobsNotToRun jobsNotToRun) {
        Map<String, Object> overrides = Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "ovis-" + stages + "-control-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        ContainerProperties containerProperties = new ContainerProperties(Topics.CONTROL.name());
        containerProperties.setAckMode(AckMode.BATCH);
        containerProperties.setMessageListener((MessageListener<String, Envelope<CancelRequest>>) record -> {
            CancelRequest control = record.value().data();
            if (control.announcesFinished()) {
                log.debug("Job {} finished ({}): not to run again here", control.jobId(), control.finished());
                jobsNotToRun.add(control.jobId(), JobsNotToRun.Reason.FINISHED);
            } else {
                log.info("Job {} cancelled: {}", control.jobId(), control.reason());
                jobsNotToRun.add(control.jobId(), JobsNotToRun.Reason.CANCELLED);
            }
        });
        ConcurrentMessageListenerContainer<String, Envelope<CancelRequest>> container =
                new ConcurrentMessageListenerContainer<>(factory.consumerFactory(Topics.CONTROL, overrides),
                        containerProperties);
        container.setBeanName("ovis-" + stages + "-control");
        container.setCommonErrorHandler(factory.errorHandler(EnvelopeListenerFactory.defaultBackOff()));
        return container;
    }

    /**
     * Each container by name (the stage, or "control") and whether it works: running as expected,
     * and for the control consumer also holding its partition (cancellations sent before that are
     * not seen, because a new instance reads only the newest control messages).
     */
    public Map<String, Boolean> state() {
        Map<String, Boolean> state = new LinkedHashMap<>();
        containers.forEach((name, container) -> {
            boolean ok = container.isRunning() && container.isInExpectedState();
            if (ok && name.equals(CONTROL)) {
                var assigned = container.getAssignedPartitions();
                ok = assigned != null && !assigned.isEmpty();
            }
            state.put(name, ok);
        });
        return state;
    }

    @Override
    public void start() {
        stopping.set(false);
        containers.values().forEach(MessageListenerContainer::start);
        running = true;
        if (!containers.isEmpty()) {
            log.info("Stage runtime started: {}", containers.keySet());
        }
    }

    /**
     * Stops the consumers, then waits for the jobs under way to end: a container's own stop gives
     * up after its shutdown timeout while a slow job may still run, and the beans this context
     * destroys next (ONNX sessions) must not be closed under it.
     */
    @Override
    public void stop() {
        stopping.set(true);
        running = false;
        containers.values().forEach(MessageListenerContainer::stop);
        for (StageProcessor processor : processors) {
            try {
                if (!processor.awaitIdle(drainTimeout)) {
                    log.warn("The {} stage still runs a job after {}; stopping anyway (the gateway's reaper"
                                    + " dispatches it again when its lease expires)",
                            processor.stage(), drainTimeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
