package dev.ovis.serve.ocr.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.ocr.OcrLine;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import dev.ovis.serve.ocr.OcrApplication;
import dev.ovis.serve.ocr.image.RgbImage;
import dev.ovis.serve.ocr.quality.SyntheticPage;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.testing.TopicRecorder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The OCR service on a real broker and object store: images are put in the store, OCR stage
 * requests published on {@code ovis.ocr.requests.v1}, and the job events the service reports are
 * collected — both engines, and bad input failing with precise codes.
 */
@SpringBootTest(classes = OcrApplication.class, properties = {
        "server.port=0", "server.address=127.0.0.1", "ovis.stage.concurrency=1"})
class OcrStageIT {

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry);
    }

    @Autowired
    EnvelopePublisher publisher;
    @Autowired
    ObjectStore store;
    private static TopicRecorder events;

    /** Records the job events the service publishes, once the application has created the topics. */
    @BeforeEach
    void record() {
        if (events == null) {
            events = new TopicRecorder(Topics.JOB_EVENTS);
        }
    }

    @AfterAll
    static void stopRecording() throws InterruptedException {
        if (events != null) {
            events.close();
        }
    }

    @Test
    void anEnglishImageIsReadByPaddleOcr() throws IOException {
        MediaRef ref = putPng(SyntheticPage.of("Noto Sans", 30, "KEEP THIS DOOR CLOSED", "Fire exit").render());

        JobEvent done = awaitFinal(send(ref, List.of()));

        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.result().ocr().text()).isEqualTo("KEEP THIS DOOR CLOSED\nFire exit");
        assertThat(done.result().ocr().blocks()).flatExtracting(b -> b.lines()).extracting(OcrLine::engine)
                .containsOnly("paddle");
    }

    @Test
    void japaneseIsReadByTesseractWhenAsked() throws IOException {
        MediaRef ref = putPng(SyntheticPage.of("Noto Sans CJK JP", 32, "東京駅で待っています").render());

        JobEvent done = awaitFinal(send(ref, List.of("ja")));

        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.result().ocr().text()).isEqualTo("東京駅で待っています");
        assertThat(done.result().ocr().blocks()).flatExtracting(b -> b.lines())
                .allSatisfy(l -> assertThat(l.engine() + "/" + l.language()).isEqualTo("tesseract/ja"));
    }

    @Test
    void badInputFailsWithPreciseCodes() throws IOException {
        byte[] png = png(SyntheticPage.of("Noto Sans", 30, "truncated").render());
        String truncated = send(put(Arrays.copyOf(png, png.length / 2), "image/png"), List.of());
        String empty = send(put(new byte[0], "image/png"), List.of());
        String text = send(put("not an image".getBytes(StandardCharsets.UTF_8), "text/plain"), List.of());

        assertFailed(truncated, ErrorCode.CORRUPT_MEDIA, "PNG");
        assertFailed(empty, ErrorCode.CORRUPT_MEDIA, "0 bytes");
        assertFailed(text, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "not an image");
    }

    @Test
    void aLanguageWithoutItsPackFailsNamingThePackage() throws IOException {
        MediaRef ref = putPng(SyntheticPage.of("Noto Sans", 30, "Habari ya dunia").render());

        assertFailed(send(ref, List.of("sw")), ErrorCode.LANGUAGE_UNAVAILABLE, "tesseract-ocr-swa");
    }

    private void assertFailed(String job, ErrorCode code, String detail) {
        JobEvent failed = awaitFinal(job);
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.failure().code()).isEqualTo(code);
        assertThat(failed.failure().detail()).contains(detail);
    }

    private String send(MediaRef ref, List<String> languages) {
        String job = "ocr-it-" + UUID.randomUUID();
        StageRequest request = new StageRequest(job, "tenant", new Route(List.of(Stage.OCR)), Stage.OCR, null,
                JobPayload.of(new OcrTask(ref, languages, null)));
        publisher.publish(Topics.OCR_REQUESTS, Envelope.withId(job + ":ocr", EventTypes.STAGE_REQUEST, "it", job, request));
        return job;
    }

    private JobEvent awaitFinal(String job) {
        return await().atMost(Duration.ofSeconds(120)).until(() -> finalEvent(job), Optional::isPresent).orElseThrow();
    }

    private MediaRef putPng(RgbImage image) throws IOException {
        return put(png(image), "image/png");
    }

    private MediaRef put(byte[] bytes, String type) {
        return store.putBytes("it/ocr/" + UUID.randomUUID(), bytes, type);
    }

    private static byte[] png(RgbImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image.toBufferedImage(), "png", out);
        return out.toByteArray();
    }

    private static Optional<JobEvent> finalEvent(String job) {
        return events.envelopes(Topics.JOB_EVENTS, job).stream().map(Envelope::data)
                .filter(e -> e.status().isTerminal()).findFirst();
    }
}
