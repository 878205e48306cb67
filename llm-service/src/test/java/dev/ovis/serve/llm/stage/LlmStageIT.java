package dev.ovis.serve.llm.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.chat.VisualEmbeddings;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import dev.ovis.serve.llm.LlmApplication;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.testing.TinyFixture;
import dev.ovis.serve.testing.TopicRecorder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The llm stage on real Kafka and S3 with the tiny model: a request on {@code ovis.llm.requests.v1}
 * streams chunks to the gateway's topic and ends SUCCEEDED with the reference text; an image's
 * embeddings are read from the object store; a prompt beyond the usable context fails precisely.
 * The KV budget (1 MB = 1023 positions of the tiny model) makes the three-image prompt too long.
 */
@SpringBootTest(classes = {LlmApplication.class, LlmStageIT.StreamTopic.class}, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {"ovis.llm.kv-cache.max-bytes=1MB", "ovis.llm.threads=1", "ovis.llm.announce-interval=1s"})
class LlmStageIT {

    static final String GATEWAY = "llm-it-gw";
    static final Duration WAIT = Duration.ofSeconds(90);

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry);
    }

    @Autowired
    EnvelopePublisher publisher;
    @Autowired
    ObjectStore store;
    private static TopicRecorder recorder;

    final TinyFixture fixture = new TinyFixture();

    LlmStageIT() throws Exception {
    }

    /** Records what the stage publishes, once the application has created the topics. */
    @BeforeEach
    void record() {
        if (recorder == null) {
            recorder = new TopicRecorder(Topics.JOB_EVENTS, Topics.stream(GATEWAY));
        }
    }

    @AfterAll
    static void stopRecording() throws InterruptedException {
        if (recorder != null) {
            recorder.close();
        }
    }

    @Test
    void aStreamedTextRequestSendsChunksAndSucceedsWithTheReferenceText() throws Exception {
        String job = send(fixture.conversation("text_only"), TinyFixture.MODEL_ID, true);

        JobEvent done = awaitEvent(job + ":llm:succeeded");
        String reference = fixture.prompt("text_only").get("greedy").get("text").asString();
        assertThat(done.result().chat().text()).isEqualTo(reference);
        assertThat(done.result().chat().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(done.result().chat().usage().promptTokens()).isEqualTo(31);

        await().atMost(WAIT).until(() -> chunks(job).stream().anyMatch(StreamChunk::last));
        List<StreamChunk> chunks = chunks(job);
        assertThat(chunks).extracting(StreamChunk::seq).isSorted().doesNotHaveDuplicates();
        assertThat(String.join("", chunks.stream().map(StreamChunk::text).toList())).isEqualTo(reference);
        StreamChunk last = chunks.getLast();
        assertThat(last.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(last.usage().completionTokens()).isEqualTo(24);
    }

    @Test
    void anImageIsReadFromTheObjectStoreAndGivesTheReferenceText() throws Exception {
        byte[] embeds = Files.readAllBytes(TinyFixture.DIR.resolve("reference/one_image.visual_embeds.f32.bin"));
        MediaRef tensor = store.putBytes("it/llm/" + UUID.randomUUID(), embeds, "application/octet-stream");
        MediaRef image = new MediaRef(store.bucket(), "it/img", "image/png", "a".repeat(64), 1);
        ContentPart part = ContentPart.image(image, null)
                .withVisual(new VisualEmbeddings(tensor, TinyFixture.MODEL_ID, new ImageLayout(1, 2), TinyFixture.HIDDEN, "float32"));
        List<ChatMessage> messages = List.of(new ChatMessage(Role.USER, List.of(part, ContentPart.text("Describe the image."))));

        String job = send(messages, TinyFixture.MODEL_ID, false);

        JobEvent done = awaitEvent(job + ":llm:succeeded");
        String reference = fixture.prompt("one_image").get("greedy").get("text").asString();
        assertThat(done.result().chat().text()).isEqualTo(reference);
        assertThat(done.result().chat().usage().promptTokens()).isEqualTo(798);
        // not streamed, but a gateway waits on the connection: the whole answer comes as one last chunk
        await().atMost(WAIT).until(() -> chunks(job).stream().anyMatch(StreamChunk::last));
        assertThat(chunks(job)).singleElement().satisfies(chunk -> {
            assertThat(chunk.text()).isEqualTo(reference);
            assertThat(chunk.usage().promptTokens()).isEqualTo(798);
        });
    }

    @Test
    void aPromptBeyondTheUsableContextFailsWithItsNumbers() throws Exception {
        String job = send(fixture.conversation("three_images"), TinyFixture.MODEL_ID, false);

        JobEvent failed = awaitEvent(job + ":llm:failed");
        assertThat(failed.failure().code()).isEqualTo(ErrorCode.CONTEXT_LENGTH_EXCEEDED);
        assertThat(failed.failure().detail()).contains("1847 positions", "at most 1023");
    }

    @Test
    void anUnknownModelFailsTheJob() throws Exception {
        String job = send(fixture.conversation("text_only"), "no-such-model", false);

        assertThat(awaitEvent(job + ":llm:failed").failure().code()).isEqualTo(ErrorCode.UNKNOWN_MODEL);
    }

    @Test
    void theModelIsAnnouncedForGateways() throws InterruptedException {
        try (TopicRecorder models = new TopicRecorder(Topics.MODELS)) {
            await().atMost(WAIT).until(() -> !models.records(Topics.MODELS, TinyFixture.MODEL_ID).isEmpty());
            assertThat(TopicRecorder.text(models.records(Topics.MODELS, TinyFixture.MODEL_ID).getFirst()))
                    .contains("\"contextLength\":32768", "\"randomWeights\":true", "ovis2-tiny-random");
        }
    }

    private String send(List<ChatMessage> messages, String model, boolean stream) {
        String job = "job-" + UUID.randomUUID();
        SamplingParams params = new SamplingParams(24, 0, 1, 0, 1, null, List.of(), false, false);
        StageRequest request = new StageRequest(job, "tenant", new Route(List.of(Stage.LLM)), Stage.LLM, GATEWAY,
                JobPayload.of(new ChatTask(model, messages, params, stream)));
        publisher.publish(Topics.LLM_REQUESTS, Envelope.withId(job + ":llm", EventTypes.STAGE_REQUEST, "it", job, request));
        return job;
    }

    private JobEvent awaitEvent(String id) {
        return await().atMost(WAIT).until(() -> event(id), Optional::isPresent).orElseThrow();
    }

    private static Optional<JobEvent> event(String id) {
        return recorder.envelopes(Topics.JOB_EVENTS).stream().filter(e -> e.id().equals(id)).map(Envelope::data).findFirst();
    }

    private static List<StreamChunk> chunks(String job) {
        return recorder.envelopes(Topics.stream(GATEWAY), job).stream().map(Envelope::data).toList();
    }

    /** This test plays a gateway instance: its stream topic. */
    @TestConfiguration
    static class StreamTopic {

        @Bean
        NewTopic llmItStreamTopic() {
            return TopicBuilder.name(Topics.stream(GATEWAY).name()).partitions(1).build();
        }
    }
}
