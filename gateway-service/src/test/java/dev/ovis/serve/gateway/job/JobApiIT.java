package dev.ovis.serve.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.job.CancelRequest;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.ocr.OcrResult;
import dev.ovis.serve.gateway.GatewayIntegrationTest;
import dev.ovis.serve.gateway.TestMedia;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.testing.TopicRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Idempotent creation, cancellation, listing and tenant isolation of jobs, on real servers. */
class JobApiIT extends GatewayIntegrationTest {

    private static TopicRecorder control;

    @Autowired
    EnvelopePublisher publisher;
    @Autowired
    JdbcClient jdbc;

    @BeforeEach
    void recordControl() {
        if (control == null) {
            control = new TopicRecorder(Topics.CONTROL);
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (control != null) {
            control.close();
            control = null;
        }
    }

    @Test
    void theSameIdempotencyKeyAndBodyGiveTheSameJobAndAnotherBodyIsRefused() {
        String media = JobApi.upload(as(KEY_A), TestMedia.png(500));
        Map<String, Object> body = Map.of("kind", "OCR", "payload", Map.of("media", media, "languages", List.of("en")));

        JobView first = create(as(KEY_A), body, "order-17").expectStatus().isCreated()
                .expectBody(JobView.class).returnResult().getResponseBody();
        JobView again = create(as(KEY_A), body, "order-17").expectStatus().isOk()
                .expectBody(JobView.class).returnResult().getResponseBody();
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(jdbc.sql("select count(*) from outbox where message_key = ?").param(first.id()).query(Long.class).single())
                .as("one request published").isEqualTo(1);

        create(as(KEY_A), Map.of("kind", "OCR", "payload", Map.of("media", media, "languages", List.of("de"))), "order-17")
                .expectStatus().isEqualTo(422)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:ovis-serve:problem:idempotency-key-reused")
                .jsonPath("$.code").isEqualTo("idempotency-key-reused")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("order-17", first.id()));

        // keys are per tenant: tenant B's own upload under the same key is a new job
        String mediaB = JobApi.upload(as(KEY_B), TestMedia.png(500));
        JobView other = create(as(KEY_B), Map.of("kind", "OCR", "payload", Map.of("media", mediaB)), "order-17")
                .expectStatus().isCreated().expectBody(JobView.class).returnResult().getResponseBody();
        assertThat(other.id()).isNotEqualTo(first.id());
    }

    @Test
    void cancellingAQueuedJobCancelsTheRowTellsTheStagesAndASecondCancelConflicts() {
        String jobId = createJob(KEY_A);

        JobView cancelled = as(KEY_A).post().uri("/v1/jobs/{id}/cancel", jobId).exchange()
                .expectStatus().isOk().expectBody(JobView.class).returnResult().getResponseBody();
        assertThat(cancelled.status()).isEqualTo("CANCELLED");
        assertThat(cancelled.error().code()).isEqualTo("cancelled");
        assertThat(cancelled.finishedAt()).isNotNull();

        await().atMost(WAIT).until(() -> !control.envelopes(Topics.CONTROL, jobId).isEmpty());
        Envelope<CancelRequest> cancel = control.envelopes(Topics.CONTROL, jobId).getFirst();
        assertThat(cancel.type()).isEqualTo(EventTypes.CANCEL);
        assertThat(cancel.data().jobId()).isEqualTo(jobId);

        as(KEY_A).post().uri("/v1/jobs/{id}/cancel", jobId).exchange()
                .expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("urn:ovis-serve:problem:conflict")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("CANCELLED"));

        // a stage that finished anyway cannot resurrect it
        publisher.publish(Topics.JOB_EVENTS, Envelope.withId(jobId + ":ocr:succeeded", EventTypes.JOB_SUCCEEDED, "test-stage",
                jobId, JobEvent.succeeded(jobId, Stage.OCR, JobResult.of(new OcrResult(1, 1, List.of(), "too late")))));
        await().atMost(WAIT).until(() -> jdbc.sql("select count(*) from processed_events where job_id = ?")
                .param(jobId).query(Long.class).single() == 1);
        assertThat(as(KEY_A).get().uri("/v1/jobs/{id}", jobId).exchange().expectBody(JobView.class).returnResult()
                .getResponseBody().status()).isEqualTo("CANCELLED");
    }

    @Test
    void anotherTenantSeesNeitherTheJobNorItsMedia() {
        String media = JobApi.upload(as(KEY_A), TestMedia.png(500));
        String jobId = createJob(KEY_A);

        for (String path : List.of("/v1/jobs/" + jobId, "/v1/media/" + media, "/v1/media/" + media + "/content")) {
            as(KEY_B).get().uri(path).exchange().expectStatus().isNotFound()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.type").isEqualTo("urn:ovis-serve:problem:not-found");
        }
        as(KEY_B).get().uri("/v1/jobs/{id}/events", jobId).accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isNotFound();
        as(KEY_B).post().uri("/v1/jobs/{id}/cancel", jobId).exchange().expectStatus().isNotFound();
        create(as(KEY_B), Map.of("kind", "OCR", "payload", Map.of("media", media)), null)
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains(media));
        JobView.Page page = as(KEY_B).get().uri("/v1/jobs?limit=100").exchange().expectStatus().isOk()
                .expectBody(JobView.Page.class).returnResult().getResponseBody();
        assertThat(page.data()).extracting(JobView::id).doesNotContain(jobId);
        // and the owner still sees it
        as(KEY_A).get().uri("/v1/jobs/{id}", jobId).exchange().expectStatus().isOk();
    }

    @Test
    void listingPagesNewestFirstAndFiltersByStatus() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            created.add(createJob(KEY_B));
        }
        as(KEY_B).post().uri("/v1/jobs/{id}/cancel", created.get(1)).exchange().expectStatus().isOk();

        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            String uri = "/v1/jobs?limit=2" + (cursor == null ? "" : "&cursor=" + cursor);
            JobView.Page page = as(KEY_B).get().uri(uri).exchange().expectStatus().isOk()
                    .expectBody(JobView.Page.class).returnResult().getResponseBody();
            assertThat(page.data()).hasSizeLessThanOrEqualTo(2);
            page.data().forEach(job -> seen.add(job.id()));
            cursor = page.nextCursor();
        } while (cursor != null);
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(seen.subList(0, 3)).containsExactly(created.get(2), created.get(1), created.get(0));

        JobView.Page cancelled = as(KEY_B).get().uri("/v1/jobs?status=cancelled&limit=100").exchange().expectStatus().isOk()
                .expectBody(JobView.Page.class).returnResult().getResponseBody();
        assertThat(cancelled.data()).extracting(JobView::status).containsOnly("CANCELLED");
        assertThat(cancelled.data()).extracting(JobView::id).contains(created.get(1)).doesNotContain(created.get(0));

        as(KEY_B).get().uri("/v1/jobs?status=sleeping").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("invalid-request");
        as(KEY_B).get().uri("/v1/jobs?limit=0").exchange().expectStatus().isBadRequest();
        as(KEY_B).get().uri("/v1/jobs?cursor=bogus").exchange().expectStatus().isBadRequest();
    }

    private String createJob(String key) {
        String media = JobApi.upload(as(key), TestMedia.png(300));
        return create(as(key), Map.of("kind", "OCR", "payload", Map.of("media", media)), null)
                .expectStatus().isCreated().expectBody(JobView.class).returnResult().getResponseBody().id();
    }

    private static WebTestClient.ResponseSpec create(WebTestClient client, Map<String, Object> body, String key) {
        WebTestClient.RequestBodySpec request = client.post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON);
        if (key != null) {
            request = request.header("Idempotency-Key", key);
        }
        return request.bodyValue(body).exchange();
    }
}
