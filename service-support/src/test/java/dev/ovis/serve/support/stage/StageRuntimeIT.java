package dev.ovis.serve.support.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatResult;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.chat.Usage;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.CancelRequest;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import dev.ovis.serve.support.kafka.EnvelopeListenerFactory;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.storage.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The stage runtime on a real broker and object store: a test handler for the vision stage whose
 * behaviour is chosen by the request's text, and test listeners (built from the shared listener
 * factories) that collect what the runtime publishes.
 */
@SpringBootTest(classes = StageRuntimeIT.TestApplication.class, properties = {
        "spring.application.name=stage-it",
        "ovis.stage.name=vision",
        "ovis.stage.retry-backoff=20ms",
        "ovis.kafka.request-partitions=2",
        "management.endpoint.health.probes.enabled=true",
        "spring.jmx.enabled=true",
        "management.endpoints.jmx.exposure.include=health"})
class StageRuntimeIT {

    static final String GATEWAY = "it-gw";

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry);
    }

    @Autowired
    EnvelopePublisher publisher;
    @Autowired
    Collected collected;
    @Autowired
    JobsNotToRun jobsNotToRun;
    @Autowired
    StageConsumersHealthIndicator health;
    @Autowired
    ObjectStore objectStore;
    @Autowired
    List<StageHandler<?>> handlers;
    @Autowired
    HealthEndpoint healthEndpoint;
    @Autowired
    HealthEndpointGroups healthGroups;
    @Autowired
    MeterRegistry meters;

    @BeforeEach
    void stageIsReady() {
        await().atMost(Duration.ofSeconds(60)).until(() -> health.health().getStatus().equals(Status.UP));
    }

    @Test
    void forwardGoesToTheNextStageAfterRunning() {
        String job = send("forward", List.of(Stage.VISION, Stage.LLM), null);

        Envelope<StageRequest> forwarded = await().atMost(Duration.ofSeconds(30))
                .until(() -> collected.forwarded(job), Optional::isPresent).orElseThrow();
        assertThat(forwarded.id()).isEqualTo(job + ":llm");
        assertThat(forwarded.data().stage()).isEqualTo(Stage.LLM);
        assertThat(((JobPayload.Chat) forwarded.data().payload()).task().messages().getFirst().parts().getFirst().text())
                .isEqualTo("forward (seen by vision)");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(collected.eventIds(job)).containsExactly(job + ":vision:running", job + ":vision:forwarded"));
    }

    @Test
    void completeReportsSucceededWithProgressAndStreamedChunks() {
        String job = send("complete", List.of(Stage.VISION), GATEWAY);

        JobEvent done = awaitEvent(job + ":vision:succeeded");
        assertThat(done.result().chat().text()).isEqualTo("done");
        assertThat(collected.eventIds(job)).containsExactly(job + ":vision:running", job + ":vision:progress:1",
                job + ":vision:progress:2", job + ":vision:succeeded");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(collected.chunks(job))
                .extracting(StreamChunk::text).containsExactly("do", "ne"));
    }

    @Test
    void aVerdictFailsTheJobWithItsCodeAndDetail() {
        String job = send("verdict", List.of(Stage.VISION), null);

        JobEvent failed = awaitEvent(job + ":vision:failed");
        assertThat(failed.failure().code()).isEqualTo(ErrorCode.CORRUPT_MEDIA);
        assertThat(failed.failure().detail()).isEqualTo("image 1: truncated");
    }

    @Test
    void aTransientFailureIsRetriedAndThenSucceeds() {
        String job = send("flaky", List.of(Stage.VISION), null);

        awaitEvent(job + ":vision:succeeded");
        assertThat(TestHandler.ATTEMPTS.get(job)).hasValue(2);
        assertThat(collected.eventIds(job)).contains(job + ":vision:progress:1"); // the "retrying" note
    }

    @Test
    void anUnexpectedExceptionFailsTheJobAsInternal() {
        String job = send("boom", List.of(Stage.VISION), null);

        JobEvent failed = awaitEvent(job + ":vision:failed");
        assertThat(failed.failure().code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(failed.failure().detail()).contains("IllegalStateException", "kaboom");
    }

    @Test
    void aCancelStopsARunningJob() {
        String job = send("wait-for-cancel", List.of(Stage.VISION), null);
        awaitEvent(job + ":vision:running");

        publisher.publish(Topics.CONTROL, Envelope.of(EventTypes.CANCEL, "it", job, new CancelRequest(job, "user")));

        JobEvent cancelled = awaitEvent(job + ":vision:cancelled");
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.failure().code()).isEqualTo(ErrorCode.CANCELLED);
    }

    @Test
    void aJobCancelledBeforeItArrivesIsNotRun() {
        String job = "job-" + UUID.randomUUID();
        publisher.publish(Topics.CONTROL, Envelope.of(EventTypes.CANCEL, "it", job, new CancelRequest(job, "user")));
        await().atMost(Duration.ofSeconds(30)).until(() -> jobsNotToRun.contains(job));

        send(job, "complete", List.of(Stage.VISION), null);

        awaitEvent(job + ":vision:cancelled");
        assertThat(collected.eventIds(job)).containsExactly(job + ":vision:cancelled");
    }

    @Test
    void theOffsetIsCommittedOnceRunningIsAcknowledgedSoACrashWhileHandlingIsNotRedelivered() throws Exception {
        String job = "job-" + UUID.randomUUID();
        RecordMetadata sent;
        try (KafkaProducer<String, byte[]> raw = rawProducer()) {
            sent = raw.send(new ProducerRecord<>(Topics.VISION_REQUESTS.name(), 0, job, envelopeBytes(job, "hold"))).get();
        }
        long offset = sent.offset();
        int partition = sent.partition();
        try {
            // while the handler still runs, the group's committed offset is already past the request:
            // a process killed now would not get it back from Kafka (the gateway's lease covers it)
            await().atMost(Duration.ofSeconds(30)).until(() -> TestHandler.HOLDING.contains(job));
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    SharedInfrastructure.get().kafkaBootstrapServers()))) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    OffsetAndMetadata committed = admin.listConsumerGroupOffsets("ovis-vision")
                            .partitionsToOffsetAndMetadata().get()
                            .get(new TopicPartition(Topics.VISION_REQUESTS.name(), partition));
                    assertThat(committed).isNotNull();
                    assertThat(committed.offset()).isGreaterThan(offset);
                });
            }
            assertThat(collected.event(job + ":vision:succeeded")).isEmpty();
        } finally {
            TestHandler.RELEASE.add(job);
        }
        awaitEvent(job + ":vision:succeeded");
    }

    @Test
    void aRequestForAJobTheGatewayAnnouncedFinishedIsSkippedWithoutRunning() {
        String job = "job-" + UUID.randomUUID();
        publisher.publish(Topics.CONTROL, Envelope.withId(job + ":finished", EventTypes.JOB_FINISHED, "it", job,
                CancelRequest.finished(job, JobStatus.SUCCEEDED)));
        await().atMost(Duration.ofSeconds(30)).until(() -> jobsNotToRun.reason(job).isPresent());
        double skipped = skipped();

        send(job, "complete", List.of(Stage.VISION), null); // the reaper's duplicate of a job a slow worker finished

        await().atMost(Duration.ofSeconds(30)).until(() -> skipped() > skipped);
        assertThat(TestHandler.ATTEMPTS).doesNotContainKey(job);
        assertThat(collected.eventIds(job)).isEmpty();
    }

    @Test
    void aRequestDeliveredTwiceWithTheSameIdIsRunOnce() {
        String job = send("complete", List.of(Stage.VISION), null);
        awaitEvent(job + ":vision:succeeded");
        double skipped = skipped();

        send(job, "complete", List.of(Stage.VISION), null); // the same envelope id again (an outbox row sent twice)

        await().atMost(Duration.ofSeconds(30)).until(() -> skipped() > skipped);
        assertThat(TestHandler.ATTEMPTS.get(job)).hasValue(1);
    }

    private double skipped() {
        var counter = meters.find("ovis.stage.jobs").tags("stage", "vision", "outcome", "skipped").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aMalformedRecordIsSkippedWithAFailedEventAndDoesNotBlockItsPartition() {
        String bad = "job-" + UUID.randomUUID();
        String good = "job-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> raw = rawProducer()) {
            raw.send(new ProducerRecord<>(Topics.VISION_REQUESTS.name(), 0, bad, "{not json".getBytes(StandardCharsets.UTF_8)));
            raw.send(new ProducerRecord<>(Topics.VISION_REQUESTS.name(), 0, good, envelopeBytes(good, "complete")));
            raw.flush();
        }

        JobEvent failed = awaitEvent(bad + ":vision:failed");
        assertThat(failed.failure().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(failed.failure().detail()).contains("could not be read", Topics.VISION_REQUESTS.name() + "-0@");
        awaitEvent(good + ":vision:succeeded");
    }

    @Test
    void runningConsumersArePartOfReadiness() {
        assertThat(healthGroups.get("readiness").isMember("stageConsumers")).isTrue();
        assertThat(healthEndpoint.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void theApplicationsHandlerServesTheStageWithoutAFallback() {
        assertThat(handlers).singleElement().isInstanceOf(TestHandler.class);
    }

    @Test
    void theObjectStoreIsConfiguredAndItsBucketExists() {
        var ref = objectStore.putBytes("it/" + UUID.randomUUID(), "hello".getBytes(StandardCharsets.UTF_8), "text/plain");

        assertThat(objectStore.readAll(ref, 100)).asString(StandardCharsets.UTF_8).isEqualTo("hello");
    }

    // --- helpers

    private String send(String behaviour, List<Stage> route, String replyTo) {
        return send("job-" + UUID.randomUUID(), behaviour, route, replyTo);
    }

    private String send(String job, String behaviour, List<Stage> route, String replyTo) {
        StageRequest request = new StageRequest(job, "tenant", new Route(route), Stage.VISION, replyTo, payload(behaviour));
        publisher.publish(Topics.VISION_REQUESTS, Envelope.withId(job + ":vision", EventTypes.STAGE_REQUEST, "it", job, request));
        return job;
    }

    private static JobPayload payload(String text) {
        return JobPayload.of(new ChatTask("tiny", List.of(new ChatMessage(Role.USER, List.of(ContentPart.text(text)))),
                SamplingParams.REFERENCE, false));
    }

    private JobEvent awaitEvent(String id) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> collected.event(id), Optional::isPresent).orElseThrow();
    }

    private byte[] envelopeBytes(String job, String behaviour) {
        StageRequest request = new StageRequest(job, "tenant", new Route(List.of(Stage.VISION)), Stage.VISION, null,
                payload(behaviour));
        return new dev.ovis.serve.support.kafka.EnvelopeSerializer(new dev.ovis.serve.support.kafka.EnvelopeJson())
                .serialize(Topics.VISION_REQUESTS.name(), Envelope.withId(job + ":vision", EventTypes.STAGE_REQUEST, "it", job, request));
    }

    private static KafkaProducer<String, byte[]> rawProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.get().kafkaBootstrapServers()), new StringSerializer(), new ByteArraySerializer());
    }

    /** Behaviour by the request's text. */
    static final class TestHandler implements StageHandler<ChatTask> {

        static final Map<String, AtomicInteger> ATTEMPTS = new ConcurrentHashMap<>();
        /** Jobs of behaviour "hold" inside the handler, until named in {@link #RELEASE}. */
        static final java.util.Set<String> HOLDING = ConcurrentHashMap.newKeySet();
        static final java.util.Set<String> RELEASE = ConcurrentHashMap.newKeySet();

        @Override
        public Stage stage() {
            return Stage.VISION;
        }

        @Override
        public Class<ChatTask> taskType() {
            return ChatTask.class;
        }

        @Override
        public StageOutcome handle(StageRequest request, ChatTask task, StageContext context) throws StageException {
            String text = task.messages().getFirst().parts().getFirst().text();
            int attempt = ATTEMPTS.computeIfAbsent(request.jobId(), id -> new AtomicInteger()).incrementAndGet();
            return switch (text) {
                case "forward" -> new StageOutcome.Forward(payload(text + " (seen by vision)"));
                case "complete" -> {
                    context.progress(0.5, "half");
                    context.stream(new StreamChunk(request.jobId(), 0, "do", null, false, null, null, null));
                    context.stream(new StreamChunk(request.jobId(), 1, "ne", null, true, FinishReason.STOP, new Usage(1, 2), null));
                    context.progress(1.0, "all");
                    yield complete();
                }
                case "verdict" -> throw new StageException(ErrorCode.CORRUPT_MEDIA, "image 1: truncated");
                case "flaky" -> {
                    if (attempt == 1) {
                        throw new StageException(ErrorCode.UNAVAILABLE, "warming up");
                    }
                    yield complete();
                }
                case "boom" -> throw new IllegalStateException("kaboom");
                case "hold" -> {
                    HOLDING.add(request.jobId());
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (!RELEASE.contains(request.jobId()) && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                    }
                    yield complete();
                }
                case "wait-for-cancel" -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (!context.cancelled() && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                    }
                    yield complete();
                }
                default -> throw new StageException(ErrorCode.INVALID_REQUEST, "unknown behaviour " + text);
            };
        }

        private static StageOutcome complete() {
            return new StageOutcome.Complete(JobResult.of(new ChatResult("tiny", "done", FinishReason.STOP, new Usage(1, 2), null)));
        }
    }

    /** What the runtime published, collected by listeners whose consumers are built from the Topics. */
    static final class Collected {

        final List<Envelope<JobEvent>> events = new CopyOnWriteArrayList<>();
        final List<Envelope<StageRequest>> forwards = new CopyOnWriteArrayList<>();
        final List<Envelope<StreamChunk>> chunks = new CopyOnWriteArrayList<>();

        @KafkaListener(topics = "#{T(dev.ovis.serve.common.Topics).JOB_EVENTS.name()}", groupId = "it-events",
                containerFactory = "jobEvents")
        void onEvent(Envelope<JobEvent> event) {
            events.add(event);
        }

        @KafkaListener(topics = "#{T(dev.ovis.serve.common.Topics).LLM_REQUESTS.name()}", groupId = "it-llm",
                containerFactory = "llmRequests")
        void onForward(Envelope<StageRequest> request) {
            forwards.add(request);
        }

        @KafkaListener(topics = "#{T(dev.ovis.serve.common.Topics).stream('" + GATEWAY + "').name()}", groupId = "it-stream",
                containerFactory = "streamChunks")
        void onChunk(Envelope<StreamChunk> chunk) {
            chunks.add(chunk);
        }

        Optional<JobEvent> event(String id) {
            return events.stream().filter(e -> e.id().equals(id)).map(Envelope::data).findFirst();
        }

        List<String> eventIds(String job) {
            return events.stream().filter(e -> e.subject().equals(job)).map(Envelope::id).distinct().toList();
        }

        Optional<Envelope<StageRequest>> forwarded(String job) {
            return forwards.stream().filter(e -> e.subject().equals(job)).findFirst();
        }

        List<StreamChunk> chunks(String job) {
            return chunks.stream().filter(e -> e.subject().equals(job)).map(Envelope::data).toList();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TestApplication {

        @Bean
        TestHandler testHandler() {
            return new TestHandler();
        }

        @Bean
        Collected collected() {
            return new Collected();
        }

        @Bean
        NewTopic streamTopic() {
            return TopicBuilder.name(Topics.stream(GATEWAY).name()).partitions(1).build();
        }

        @Bean
        ConcurrentKafkaListenerContainerFactory<String, Envelope<JobEvent>> jobEvents(EnvelopeListenerFactory factory) {
            return listeners(factory, Topics.JOB_EVENTS);
        }

        @Bean
        ConcurrentKafkaListenerContainerFactory<String, Envelope<StageRequest>> llmRequests(EnvelopeListenerFactory factory) {
            return listeners(factory, Topics.LLM_REQUESTS);
        }

        @Bean
        ConcurrentKafkaListenerContainerFactory<String, Envelope<StreamChunk>> streamChunks(EnvelopeListenerFactory factory) {
            return listeners(factory, Topics.stream(GATEWAY));
        }

        private static <T> ConcurrentKafkaListenerContainerFactory<String, Envelope<T>> listeners(
                EnvelopeListenerFactory factory, Topic<T> topic) {
            ConcurrentKafkaListenerContainerFactory<String, Envelope<T>> listeners = new ConcurrentKafkaListenerContainerFactory<>();
            listeners.setConsumerFactory(factory.consumerFactory(topic, Map.of()));
            return listeners;
        }
    }
}
