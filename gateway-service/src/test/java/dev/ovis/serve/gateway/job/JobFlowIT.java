package dev.ovis.serve.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.ocr.OcrResult;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.gateway.GatewayIntegrationTest;
import dev.ovis.serve.gateway.TestMedia;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.testing.TopicRecorder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.reactive.function.BodyInserters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The whole way of a job on real servers: upload → S3 → job row → Kafka request → a test-side
 * stage publishing events → the events consumer → Postgres → GET and the SSE stream.
 */
class JobFlowIT extends GatewayIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static TopicRecorder ocrRequests;

    @Autowired
    EnvelopePublisher publisher;
    @Autowired
    ObjectStore store;
    @Autowired
    JdbcClient jdbc;

    /** Started once the context (and so the topics) exist. */
    @BeforeEach
    void recordRequests() {
        if (ocrRequests == null) {
            ocrRequests = new TopicRecorder(Topics.OCR_REQUESTS);
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (ocrRequests != null) {
            ocrRequests.close();
            ocrRequests = null;
        }
    }

    @Test
    void uploadedImageIsOcrdThroughKafkaAndTheResultReachesGetAndTheEventStream() throws Exception {
        // given an image uploaded as multipart
        byte[] image = TestMedia.png(200_000);
        MultipartBodyBuilder multipart = new MultipartBodyBuilder();
        multipart.part("file", image).filename("receipt.png").contentType(MediaType.APPLICATION_OCTET_STREAM);
        Map<String, Object> media = as(KEY_A).post().uri("/v1/media").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(multipart.build()))
                .exchange().expectStatus().isCreated()
                .expectHeader().valueMatches("Location", "/v1/media/.+")
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
        assertThat(media).containsEntry("sha256", sha256).containsEntry("contentType", "image/png")
                .containsEntry("size", image.length);
        assertThat(store.exists("tenant-a/media/" + sha256)).isTrue();
        as(KEY_A).get().uri("/v1/media/{id}/content", media.get("id")).exchange()
                .expectStatus().isOk().expectBody(byte[].class).isEqualTo(image);

        // when an OCR job is created for it
        JobView created = as(KEY_A).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("kind", "ocr", "payload", Map.of("media", media.get("id"), "languages", List.of("en"))))
                .exchange().expectStatus().isCreated()
                .expectBody(JobView.class).returnResult().getResponseBody();
        assertThat(created.status()).isEqualTo("QUEUED");
        assertThat(created.route()).isEqualTo("ocr");
        String jobId = created.id();

        // then the OCR stage gets a fully resolved request
        await().atMost(WAIT).until(() -> !ocrRequests.envelopes(Topics.OCR_REQUESTS, jobId).isEmpty());
        StageRequest request = ocrRequests.envelopes(Topics.OCR_REQUESTS, jobId).getFirst().data();
        assertThat(request.tenant()).isEqualTo("tenant-a");
        assertThat(request.stage()).isEqualTo(Stage.OCR);
        OcrTask task = ((JobPayload.Ocr) request.payload()).task();
        assertThat(task.media().sha256()).isEqualTo(sha256);
        assertThat(task.media().key()).isEqualTo("tenant-a/media/" + sha256);

        // and when a client follows the job while the stage works
        CompletableFuture<List<ServerSentEvent<JobView>>> stream = as(KEY_A).get().uri("/v1/jobs/{id}/events", jobId)
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<JobView>>() { })
                .getResponseBody().collectList().toFuture();
        OcrResult text = new OcrResult(10, 10, List.of(), "TOTAL 42.00");
        publish(jobId + ":ocr:running", EventTypes.JOB_STARTED, JobEvent.started(jobId, Stage.OCR));
        publish(jobId + ":ocr:progress:1", EventTypes.JOB_PROGRESS, JobEvent.progress(jobId, Stage.OCR, 0.5, "recognising"));
        publish(jobId + ":ocr:succeeded", EventTypes.JOB_SUCCEEDED, JobEvent.succeeded(jobId, Stage.OCR, JobResult.of(text)));

        // then the row holds the result
        await().atMost(WAIT).untilAsserted(() -> {
            JobView job = as(KEY_A).get().uri("/v1/jobs/{id}", jobId).exchange().expectStatus().isOk()
                    .expectBody(JobView.class).returnResult().getResponseBody();
            assertThat(job.status()).isEqualTo("SUCCEEDED");
            assertThat(job.result().ocr().text()).isEqualTo("TOTAL 42.00");
            assertThat(job.progress()).isEqualTo(1.0);
            assertThat(job.finishedAt()).isNotNull();
        });
        // and the stream started with the state at connection time and ended with the terminal state
        List<ServerSentEvent<JobView>> events = stream.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(events.getFirst().event()).isIn("queued", "running");
        assertThat(events.getLast().event()).isEqualTo("succeeded");
        assertThat(events.getLast().data().result().ocr().text()).isEqualTo("TOTAL 42.00");
        assertThat(events).extracting(event -> event.data().version()).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void thePayloadKeepsItsJsonFormInTheRowAndTheApiAndARowWrittenBeforeTheSealedTypeStillReads() {
        String jobId = createOcrJob(KEY_A);

        // the row holds {"ocr": {...}} (the other kinds at most as null), as it did when JobPayload was a record
        JsonNode row = JSON.readTree(jdbc.sql("select request::text from jobs where id = ?").param(jobId)
                .query(String.class).single());
        String key = row.get("ocr").get("media").get("key").asString();
        assertThat(key).startsWith("tenant-a/media/");
        assertThat(row.propertyNames()).isSubsetOf("chat", "ocr", "keyframes");
        assertThat(row.path("chat").isMissingNode() || row.path("chat").isNull()).isTrue();
        assertThat(row.path("keyframes").isMissingNode() || row.path("keyframes").isNull()).isTrue();
        // and so does the API's view of the job
        as(KEY_A).get().uri("/v1/jobs/{id}", jobId).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.request.ocr.media.key").isEqualTo(key)
                .jsonPath("$.request.task").doesNotExist();

        // when the row is one written by the record, the other kinds null
        ObjectNode old = (ObjectNode) row.deepCopy();
        old.putNull("chat");
        old.putNull("keyframes");
        jdbc.sql("update jobs set request = ?::jsonb where id = ?").param(old.toString()).param(jobId).update();

        // then it still reads as an OCR payload
        JobView job = as(KEY_A).get().uri("/v1/jobs/{id}", jobId).exchange().expectStatus().isOk()
                .expectBody(JobView.class).returnResult().getResponseBody();
        assertThat(job.request()).isInstanceOfSatisfying(JobPayload.Ocr.class,
                ocr -> assertThat(ocr.task().media().key()).isEqualTo(key));
    }

    @Test
    void aJobEventDeliveredTwiceUpdatesTheJobOnce() {
        String jobId = createOcrJob(KEY_A);
        await().atMost(WAIT).until(() -> !ocrRequests.envelopes(Topics.OCR_REQUESTS, jobId).isEmpty());

        // when the same progress event arrives twice (a redelivery), then a later one
        Envelope<JobEvent> progress = Envelope.withId(jobId + ":ocr:progress:1", EventTypes.JOB_PROGRESS, "test-stage", jobId,
                JobEvent.progress(jobId, Stage.OCR, 0.25, "first quarter"));
        publisher.publish(Topics.JOB_EVENTS, progress);
        publisher.publish(Topics.JOB_EVENTS, progress);
        publish(jobId + ":ocr:progress:2", EventTypes.JOB_PROGRESS, JobEvent.progress(jobId, Stage.OCR, 0.5, "half"));

        // then each distinct event moved the row once
        await().atMost(WAIT).untilAsserted(() -> assertThat(job(KEY_A, jobId).progress()).isEqualTo(0.5));
        assertThat(job(KEY_A, jobId).version()).isEqualTo(2);
        assertThat(jdbc.sql("select count(*) from processed_events where job_id = ?").param(jobId).query(Long.class).single())
                .isEqualTo(2);
    }

    @Test
    void aLateEventCannotMoveAFinishedJob() {
        String jobId = createOcrJob(KEY_A);
        publish(jobId + ":ocr:failed", EventTypes.JOB_FAILED, JobEvent.failed(jobId, Stage.OCR,
                new dev.ovis.serve.common.job.Failure(dev.ovis.serve.common.error.ErrorCode.CORRUPT_MEDIA, "image 1: truncated PNG")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(job(KEY_A, jobId).status()).isEqualTo("FAILED"));

        publish(jobId + ":ocr:succeeded", EventTypes.JOB_SUCCEEDED, JobEvent.succeeded(jobId, Stage.OCR,
                JobResult.of(new OcrResult(1, 1, List.of(), "late"))));
        publish(jobId + ":ocr:progress:9", EventTypes.JOB_PROGRESS, JobEvent.progress(jobId, Stage.OCR, 0.9, "marker"));
        await().atMost(WAIT).until(() -> jdbc.sql("select count(*) from processed_events where job_id = ?")
                .param(jobId).query(Long.class).single() == 3);

        JobView job = job(KEY_A, jobId);
        assertThat(job.status()).isEqualTo("FAILED");
        assertThat(job.result()).isNull();
        assertThat(job.error().code()).isEqualTo("corrupt-media");
        assertThat(job.error().detail()).isEqualTo("image 1: truncated PNG");
        assertThat(job.version()).isEqualTo(1);
    }

    private void publish(String id, String type, JobEvent event) {
        publisher.publish(Topics.JOB_EVENTS, Envelope.withId(id, type, "test-stage", event.jobId(), event));
    }

    private JobView job(String key, String id) {
        return as(key).get().uri("/v1/jobs/{id}", id).exchange().expectStatus().isOk()
                .expectBody(JobView.class).returnResult().getResponseBody();
    }

    /** Uploads a fresh image and creates an OCR job for it; returns the job id. */
    String createOcrJob(String key) {
        String mediaId = JobApi.upload(as(key), TestMedia.png(1_000));
        return as(key).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("kind", "OCR", "payload", Map.of("media", mediaId)))
                .exchange().expectStatus().isCreated()
                .expectBody(JobView.class).returnResult().getResponseBody().id();
    }
}
