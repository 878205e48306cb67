package dev.ovis.serve.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.job.CancelRequest;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.gateway.GatewayIntegrationTest;
import dev.ovis.serve.gateway.TestMedia;
import dev.ovis.serve.support.kafka.EnvelopeJson;
import dev.ovis.serve.support.kafka.EnvelopeSerializer;
import dev.ovis.serve.testing.TopicRecorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The relay on real PostgreSQL and Kafka: it publishes rows nobody nudged it about (as left by an
 * instance that died after its commit), and no row can block it — a record the broker refuses is
 * given up at once and its job fails with the reason; a request too large for the broker is refused
 * at submit.
 */
class OutboxRelayIT extends GatewayIntegrationTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void aJobWhoseStageRequestWouldExceedTheBrokersLimitIsRefusedAtSubmitWith413() {
        String media = upload();
        // under the endpoint's 1 MB body limit, over the 960 KB a stage request may carry
        String body = "{\"kind\": \"OCR\", \"payload\": {\"media\": \"" + media + "\", \"engine\": \""
                + "e".repeat(990_000) + "\"}}";
        long before = jdbc.sql("select count(*) from jobs").query(Long.class).single();
        as(KEY_A).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isEqualTo(413)
                .expectBody()
                .jsonPath("$.code").isEqualTo("media-too-large")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("stage request", "POST /v1/media"));
        assertThat(jdbc.sql("select count(*) from jobs").query(Long.class).single()).as("nothing stored").isEqualTo(before);
    }

    @Test
    void aRowTheBrokerRefusesForItsSizeIsGivenUpItsJobFailsAndTheRowsBehindItAreStillPublished() throws Exception {
        // given a real job, and an oversized stage request for it that got into the outbox anyway
        String media = upload();
        Map<String, Object> created = as(KEY_A).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("kind", "OCR", "payload", Map.of("media", media)))
                .exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        String jobId = (String) created.get("id");
        EnvelopeJson envelopes = new EnvelopeJson();
        Envelope<StageRequest> read = envelopes.mapper().readValue(stored(jobId), envelopes.envelopeOf(Topics.OCR_REQUESTS));
        StageRequest original = read.data();
        OcrTask huge = new OcrTask(((JobPayload.Ocr) original.payload()).task().media(), List.of(), "e".repeat(1_200_000));
        StageRequest oversized = new StageRequest(jobId, original.tenant(), original.route(), original.stage(), null,
                JobPayload.of(huge));
        long bigRow = insert(Topics.OCR_REQUESTS, Envelope.withId(jobId + ":oversized", EventTypes.STAGE_REQUEST,
                "gateway-service", jobId, oversized));
        String laterJob = "later-" + UUID.randomUUID();
        long laterRow = insert(Topics.CONTROL, Envelope.withId(laterJob + ":cancel", EventTypes.CANCEL, "gateway-service",
                laterJob, new CancelRequest(laterJob, "behind an oversized row")));

        // then the big row is given up, the job failed with the reason, and the row behind it published
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Object> job = as(KEY_A).get().uri("/v1/jobs/{id}", jobId).exchange().expectStatus().isOk()
                    .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
            assertThat(job.get("status")).isEqualTo("FAILED");
            assertThat(job.get("error").toString()).contains("media-too-large", "RecordTooLargeException");
        });
        await().atMost(WAIT).until(() -> jdbc.sql("select published_at is not null from outbox where id = ?")
                .param(laterRow).query(Boolean.class).single());
        assertThat(jdbc.sql("select given_up_at is not null and published_at is null from outbox where id = ?")
                .param(bigRow).query(Boolean.class).single()).isTrue();
    }

    private <T> long insert(Topic<T> topic, Envelope<T> envelope) {
        return jdbc.sql("insert into outbox (topic, message_key, envelope) values (?, ?, ?) returning id")
                .params(topic.name(), envelope.subject(), new EnvelopeSerializer(new EnvelopeJson()).serialize(topic.name(), envelope))
                .query(Long.class).single();
    }

    /** The first outbox row of a job: the envelope's bytes as stored. */
    private byte[] stored(String jobId) {
        return jdbc.sql("select envelope from outbox where message_key = ? order by id limit 1").param(jobId)
                .query((rs, n) -> rs.getBytes(1)).single();
    }

    private String upload() {
        byte[] png = TestMedia.png(300);
        Map<String, Object> media = as(KEY_A).post().uri("/v1/media").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(png).exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        return (String) media.get("id");
    }

    @Test
    void theBrokerGetsTheStoredBytesAsTheyAre() throws Exception {
        // given a job, whose stage request the outbox stored serialized
        String media = upload();
        try (TopicRecorder requests = new TopicRecorder(Topics.OCR_REQUESTS)) {
            Map<String, Object> created = as(KEY_A).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("kind", "OCR", "payload", Map.of("media", media)))
                    .exchange().expectStatus().isCreated()
                    .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
            String jobId = (String) created.get("id");

            // then the record's value is those bytes, not a re-serialization of them
            await().atMost(WAIT).until(() -> !requests.records(Topics.OCR_REQUESTS, jobId).isEmpty());
            byte[] sent = requests.records(Topics.OCR_REQUESTS, jobId).getFirst().value();
            assertThat(sent).isEqualTo(stored(jobId));
            assertThat(sent).isEqualTo(new EnvelopeSerializer(new EnvelopeJson()).serialize(Topics.OCR_REQUESTS.name(),
                    requests.envelopes(Topics.OCR_REQUESTS, jobId).getFirst()));
        }
    }

    @Test
    void aStoredEnvelopeIsSentByteForByteNotReadAndWrittenAgain() throws Exception {
        // given a row in another key order and spacing than the serializer's (as jsonb kept rows before V7)
        String jobId = "verbatim-" + UUID.randomUUID();
        byte[] stored = """
                {"subject": "%s", "id": "%s:cancel", "type": "ovis.control.cancel", "source": "gateway-service",
                 "time": "2026-11-26T07:00:00Z", "data": {"reason": "as stored", "jobId": "%s"}}"""
                .formatted(jobId, jobId, jobId).getBytes(StandardCharsets.UTF_8);
        jdbc.sql("insert into outbox (topic, message_key, envelope) values (?, ?, ?)")
                .params(Topics.CONTROL.name(), jobId, stored).update();

        // then the broker gets exactly those bytes, and they read as the envelope they are
        try (TopicRecorder control = new TopicRecorder(Topics.CONTROL)) {
            await().atMost(WAIT).until(() -> !control.records(Topics.CONTROL, jobId).isEmpty());
            assertThat(control.records(Topics.CONTROL, jobId).getFirst().value()).isEqualTo(stored);
            assertThat(control.envelopes(Topics.CONTROL, jobId).getFirst().data()).isEqualTo(new CancelRequest(jobId, "as stored"));
        }
    }

    @Test
    void onceTheBrokerTookARecordOfATopicTheNextRowsForItAreSentByTheirWriterNotThePoll() {
        // given a job whose stage request went out (the first row of a topic may go through the relay)
        String media = upload();
        String first = submitOcr(media);
        await().atMost(WAIT).until(() -> published(first));

        // when the next jobs are submitted
        for (int i = 0; i < 3; i++) {
            String next = submitOcr(media);

            // then each row was stored not due for the poll before the send timeout (10 s) and yet
            // published at once: its writer sent it after the commit
            assertThat(jdbc.sql("select next_attempt_at - created_at >= interval '9 seconds' from outbox where message_key = ?"
                    + " order by id limit 1")
                    .param(next).query(Boolean.class).single()).as("left to its writer").isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> published(next));
        }
    }

    private String submitOcr(String media) {
        Map<String, Object> created = as(KEY_A).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("kind", "OCR", "payload", Map.of("media", media)))
                .exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        return (String) created.get("id");
    }

    private boolean published(String jobId) {
        return jdbc.sql("select published_at is not null from outbox where message_key = ? order by id limit 1")
                .param(jobId).query(Boolean.class).single();
    }

    @Test
    void aRowCommittedWithoutANudgeIsPublishedByThePollAndMarkedPublished() throws Exception {
        String jobId = "orphan-" + UUID.randomUUID();
        Envelope<CancelRequest> envelope = Envelope.withId(jobId + ":cancel", EventTypes.CANCEL, "gateway-service", jobId,
                new CancelRequest(jobId, "left behind by a crashed instance"));
        // written straight to the table: no transaction synchronisation, so no nudge
        long id = insert(Topics.CONTROL, envelope);

        try (TopicRecorder control = new TopicRecorder(Topics.CONTROL)) {
            await().atMost(WAIT).until(() -> !control.envelopes(Topics.CONTROL, jobId).isEmpty());
            assertThat(control.envelopes(Topics.CONTROL, jobId).getFirst().id()).isEqualTo(jobId + ":cancel");
            assertThat(control.envelopes(Topics.CONTROL, jobId).getFirst().data().reason()).isEqualTo("left behind by a crashed instance");
        }
        await().atMost(WAIT).until(() -> jdbc.sql("select published_at is not null from outbox where id = ?")
                .param(id).query(Boolean.class).single());
    }
}
