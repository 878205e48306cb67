package dev.ovis.serve.vision.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.chat.VisualEmbeddings;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.testing.InMemoryObjectStore;
import dev.ovis.serve.testing.TopicRecorder;
import dev.ovis.serve.vision.VisionApplication;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The vision stage on real Kafka and S3: a chat job with images comes in on the vision topic and
 * leaves on the llm topic with references to stored embeddings; a corrupt image fails the job with
 * its reason on the job-events topic.
 */
@SpringBootTest(classes = VisionApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {"ovis.model.dir=../fixtures/tiny-ovis2", "ovis.vision.batch.intra-op-threads=2"})
class VisionStageIT {

    private static TopicRecorder recorder;

    @Autowired
    ObjectStore store;
    @Autowired
    EnvelopePublisher publisher;

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry);
    }

    /** Subscribes once the application has created the suite's topics (the recorder never auto-creates them). */
    @BeforeEach
    void listen() {
        if (recorder == null) {
            recorder = new TopicRecorder(Topics.LLM_REQUESTS, Topics.JOB_EVENTS);
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (recorder != null) {
            recorder.close();
        }
    }

    @Test
    void forwardsAChatJobWithEmbeddingReferences() throws Exception {
        // given two images in the store
        String job = "job-" + UUID.randomUUID();
        MediaRef vga = upload("conformance/images/vga.png");
        MediaRef tall = upload("conformance/images/tall.png");
        ChatTask chat = new ChatTask("tiny", List.of(new ChatMessage(Role.USER,
                List.of(ContentPart.image(vga, 4), ContentPart.text("and"), ContentPart.image(tall, 1)))), SamplingParams.REFERENCE, false);
        // when
        send(job, chat);
        // then
        StageRequest forwarded = await().atMost(Duration.ofSeconds(90)).until(() -> find(Topics.LLM_REQUESTS, job),
                Optional::isPresent).get();
        assertThat(forwarded.stage()).isEqualTo(Stage.LLM);
        List<ContentPart> parts = ((JobPayload.Chat) forwarded.payload()).task().messages().get(0).parts();
        VisualEmbeddings first = parts.get(0).visual();
        assertThat(first.layout()).isEqualTo(new ImageLayout(2, 2));
        assertThat(first.tensor().size()).isEqualTo(5L * 256 * first.hidden() * 4);
        assertThat(store.exists(first.tensor().key())).isTrue();
        assertThat(parts.get(1).visual()).isNull();
        assertThat(parts.get(2).visual().layout()).isEqualTo(new ImageLayout(1, 1));
        assertThat(events(job)).anyMatch(e -> e.status() == JobStatus.RUNNING && e.progress() != null && e.progress() == 1.0);
    }

    @Test
    void failsAJobWithACorruptImageNamingIt() throws Exception {
        String job = "job-" + UUID.randomUUID();
        MediaRef good = upload("conformance/images/pixel.png");
        byte[] corrupt = readResource("conformance/images/photo.jpg");
        MediaRef truncated = store.putBytes("acme/media/truncated-" + job, java.util.Arrays.copyOf(corrupt, corrupt.length / 3), "image/jpeg");
        ChatTask chat = new ChatTask("tiny", List.of(new ChatMessage(Role.USER,
                List.of(ContentPart.image(good, null), ContentPart.image(truncated, null)))), SamplingParams.REFERENCE, false);
        send(job, chat);
        JobEvent failed = await().atMost(Duration.ofSeconds(90)).until(
                () -> events(job).stream().filter(e -> e.status() == JobStatus.FAILED).findFirst(), Optional::isPresent).get();
        assertThat(failed.failure().code()).isEqualTo(ErrorCode.CORRUPT_MEDIA);
        assertThat(failed.failure().detail()).startsWith("image 2 of 2: ");
        assertThat(find(Topics.LLM_REQUESTS, job)).isEmpty();
    }

    private void send(String job, ChatTask chat) {
        StageRequest request = new StageRequest(job, "acme", new Route(List.of(Stage.VISION, Stage.LLM)), Stage.VISION, null,
                JobPayload.of(chat));
        publisher.publish(Topics.VISION_REQUESTS, Envelope.withId(job + ":vision", EventTypes.STAGE_REQUEST, "vision-it", job, request));
    }

    private static <T> Optional<T> find(Topic<T> topic, String job) {
        return recorder.envelopes(topic, job).stream().map(Envelope::data).findFirst();
    }

    private static List<JobEvent> events(String job) {
        return recorder.envelopes(Topics.JOB_EVENTS, job).stream().map(Envelope::data).toList();
    }

    private MediaRef upload(String resource) throws Exception {
        byte[] bytes = readResource(resource);
        return store.putBytes("acme/media/" + InMemoryObjectStore.sha256(bytes), bytes, "image/*");
    }

    private static byte[] readResource(String resource) throws Exception {
        try (InputStream in = VisionStageIT.class.getClassLoader().getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }
}
