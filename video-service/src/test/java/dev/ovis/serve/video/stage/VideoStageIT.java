package dev.ovis.serve.video.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.PartType;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.video.Keyframe;
import dev.ovis.serve.common.video.KeyframeResult;
import dev.ovis.serve.common.video.KeyframeTask;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.testing.TopicRecorder;
import dev.ovis.serve.video.VideoApplication;
import dev.ovis.serve.video.decode.TestVideos;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The video stage end to end on real Kafka and S3: key-frame jobs, chat jobs, a corrupt video. */
@SpringBootTest(classes = VideoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
class VideoStageIT {

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry);
    }

    @TempDir
    static Path temp;

    @Autowired
    EnvelopePublisher publisher;
    @Autowired
    ObjectStore store;
    private static TopicRecorder recorder;

    /** Records what the stage publishes, once the application has created the topics. */
    @BeforeEach
    void record() {
        if (recorder == null) {
            recorder = new TopicRecorder(Topics.JOB_EVENTS, Topics.VISION_REQUESTS);
        }
    }

    @AfterAll
    static void stopRecording() throws InterruptedException {
        if (recorder != null) {
            recorder.close();
        }
    }

    @Test
    void keyframeJobCompletesWithOneFramePerSceneStoredAsPng() throws Exception {
        MediaRef video = upload(new TestVideos(temp).scenes("it-scenes.avi", 2.0,
                List.of("red", "green", "blue"), "-c:v", "mjpeg"), "video/x-msvideo");
        String job = send(List.of(Stage.VIDEO), JobPayload.of(new KeyframeTask(video, "", 3, null)));

        JobEvent done = awaitEvent(job + ":video:succeeded");

        KeyframeResult result = done.result().keyframes();
        assertThat(result.embedder()).isEqualTo("descriptor");
        assertThat(result.candidates()).isEqualTo(12);
        assertThat(result.frames()).extracting(f -> (int) (f.timestamp() / 2.0)).containsExactly(0, 1, 2);
        Keyframe first = result.frames().getFirst();
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(store.readAll(first.image(), 1 << 20)));
        assertThat(png.getRGB(32, 24) & 0xFFFFFF).isGreaterThan(0xE00000); // red
        assertThat(first.image().contentType()).isEqualTo("image/png");
        assertThat(eventIds(job)).anyMatch(id -> id.startsWith(job + ":video:progress:"));
    }

    @Test
    void chatJobReplacesTheVideoByItsKeyFramesAndGoesOnToVision() throws Exception {
        MediaRef video = upload(new TestVideos(temp).testPattern("it-chat.mp4", 160, 120, 4, 10,
                "-c:v", "libopenh264"), "video/mp4");
        ChatTask chat = new ChatTask("tiny", List.of(new ChatMessage(Role.USER,
                List.of(ContentPart.video(video, 2), ContentPart.text("<image>\nWhat is shown?")))),
                SamplingParams.REFERENCE, false);
        String job = send(List.of(Stage.VIDEO, Stage.VISION, Stage.LLM), JobPayload.of(chat));

        Envelope<StageRequest> forwarded = await().atMost(Duration.ofSeconds(60))
                .until(() -> forwarded(job), Optional::isPresent).orElseThrow();

        assertThat(forwarded.id()).isEqualTo(job + ":vision");
        List<ContentPart> parts = ((JobPayload.Chat) forwarded.data().payload()).task().messages().getFirst().parts();
        assertThat(parts).extracting(ContentPart::type).containsExactly(PartType.IMAGE, PartType.IMAGE, PartType.TEXT);
        assertThat(parts.subList(0, 2)).allMatch(p -> p.maxPartition() == 1 && p.frameTime() != null);
        assertThat(parts.get(0).frameTime()).isLessThan(parts.get(1).frameTime());
        assertThat(store.exists(parts.get(0).media().key())).isTrue();
    }

    @Test
    void corruptVideoFailsTheJobWithTheReason() {
        MediaRef junk = upload("not a video at all".getBytes(), "video/mp4");
        String job = send(List.of(Stage.VIDEO), JobPayload.of(new KeyframeTask(junk, "q", null, null)));

        JobEvent failed = awaitEvent(job + ":video:failed");

        assertThat(failed.failure().code()).isEqualTo(ErrorCode.CORRUPT_MEDIA);
        assertThat(failed.failure().detail()).contains("not a readable video");
    }

    private MediaRef upload(byte[] bytes, String type) {
        return store.putBytes("it/videos/" + UUID.randomUUID(), bytes, type);
    }

    private String send(List<Stage> route, JobPayload payload) {
        String job = "job-" + UUID.randomUUID();
        StageRequest request = new StageRequest(job, "tenant-it", new Route(route), Stage.VIDEO, null, payload);
        publisher.publish(Topics.VIDEO_REQUESTS,
                Envelope.withId(job + ":video", EventTypes.STAGE_REQUEST, "it", job, request));
        return job;
    }

    private JobEvent awaitEvent(String id) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> event(id), Optional::isPresent).orElseThrow();
    }

    private static Optional<JobEvent> event(String id) {
        return recorder.envelopes(Topics.JOB_EVENTS).stream().filter(e -> e.id().equals(id)).map(Envelope::data).findFirst();
    }

    private static List<String> eventIds(String job) {
        return recorder.envelopes(Topics.JOB_EVENTS, job).stream().map(Envelope::id).distinct().toList();
    }

    private static Optional<Envelope<StageRequest>> forwarded(String job) {
        return recorder.envelopes(Topics.VISION_REQUESTS, job).stream().findFirst();
    }
}
