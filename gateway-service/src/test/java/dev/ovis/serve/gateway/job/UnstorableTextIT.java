package dev.ovis.serve.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.ocr.OcrResult;
import dev.ovis.serve.gateway.GatewayIntegrationTest;
import dev.ovis.serve.gateway.TestMedia;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

/**
 * U+0000 on real PostgreSQL: in a request it is a 400 naming the field (it was a 500 whose detail
 * held the failing INSERT); in a stage's output it is stored and shown as U+FFFD (the event could
 * not be applied at all).
 */
class UnstorableTextIT extends GatewayIntegrationTest {

    @Autowired
    EnvelopePublisher publisher;

    @Test
    void aNulInTheRequestIs400NamingTheFieldAndNeverLeaksSql() {
        String media = JobApi.upload(as(KEY_A), TestMedia.png(300));
        String body = "{\"kind\": \"OCR\", \"payload\": {\"media\": \"" + media + "\", \"languages\": [\"en\\u0000de\"]}}";
        as(KEY_A).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.code").isEqualTo("invalid-request")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail)
                        .contains("'payload.languages[0]'", "U+0000").doesNotContainIgnoringCase("insert"));

        String surrogate = "{\"kind\": \"OCR\", \"payload\": {\"media\": \"" + media + "\", \"engine\": \"x\\ud800y\"}}";
        as(KEY_A).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON).bodyValue(surrogate).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail)
                        .contains("'payload.engine'", "unpaired surrogate"));
    }

    @Test
    void aNulInAStagesOutputIsStoredAndShownAsTheReplacementCharacter() {
        String media = JobApi.upload(as(KEY_A), TestMedia.png(300));
        JobView created = as(KEY_A).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("kind", "OCR", "payload", Map.of("media", media, "languages", List.of("en"))))
                .exchange().expectStatus().isCreated().expectBody(JobView.class).returnResult().getResponseBody();
        String jobId = created.id();

        OcrResult text = new OcrResult(10, 10, List.of(), "TOTAL\u000042");
        publish(jobId + ":ocr:succeeded", EventTypes.JOB_SUCCEEDED, JobEvent.succeeded(jobId, Stage.OCR, JobResult.of(text)));

        await().atMost(WAIT).untilAsserted(() -> {
            JobView job = as(KEY_A).get().uri("/v1/jobs/{id}", jobId).exchange().expectStatus().isOk()
                    .expectBody(JobView.class).returnResult().getResponseBody();
            assertThat(job.status()).isEqualTo("SUCCEEDED");
            assertThat(job.result().ocr().text()).isEqualTo("TOTAL\uFFFD42");
        });
    }

    @Test
    void aNulInAStagesFailureDetailIsStoredToo() {
        String media = JobApi.upload(as(KEY_A), TestMedia.png(300));
        JobView created = as(KEY_A).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("kind", "OCR", "payload", Map.of("media", media)))
                .exchange().expectStatus().isCreated().expectBody(JobView.class).returnResult().getResponseBody();
        String jobId = created.id();

        publish(jobId + ":ocr:failed", EventTypes.JOB_FAILED,
                JobEvent.failed(jobId, Stage.OCR, new Failure(ErrorCode.CORRUPT_MEDIA, "bad\u0000bytes")));

        await().atMost(WAIT).untilAsserted(() -> {
            JobView job = as(KEY_A).get().uri("/v1/jobs/{id}", jobId).exchange().expectStatus().isOk()
                    .expectBody(JobView.class).returnResult().getResponseBody();
            assertThat(job.status()).isEqualTo("FAILED");
            assertThat(job.error().detail()).isEqualTo("bad\uFFFDbytes");
        });
    }

    private void publish(String id, String type, JobEvent event) {
        publisher.publish(Topics.JOB_EVENTS, Envelope.withId(id, type, "test-stage", event.jobId(), event));
    }
}
