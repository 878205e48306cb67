package dev.ovis.serve.gateway.batch;

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
import dev.ovis.serve.gateway.files.FilesApiIT;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.reactive.server.StatusAssertions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Batch API on real servers, with the test standing in for the OCR stage (it publishes the job
 * events): lines become jobs, results and failures land in OpenAI-shaped output and error files,
 * a lost step is repeated without running a line twice, and cancel, expiry and validation end a
 * batch as OpenAI does.
 */
class BatchApiIT extends GatewayIntegrationTest {

    private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() { };
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    EnvelopePublisher publisher;
    @Autowired
    JdbcClient jdbc;

    @Test
    void eachLineRunsAsAJobOnceAndTheFilesAnswerEveryCustomId() {
        // given an OCR batch: two images and one line whose body the endpoint refuses
        String a = uploadImage();
        String b = uploadImage();
        String input = jsonl(ocrLine("scan-a", a), ocrLine("scan-b", b), line("bad", "/v1/ocr", Map.of("image", 42)));
        Map<String, Object> created = createBatch(KEY_A, input, "/v1/ocr", Map.of("project", "archive"));
        String id = (String) created.get("id");
        assertThat(id).startsWith("batch_");
        assertThat(created).containsEntry("object", "batch").containsEntry("status", "validating")
                .containsEntry("endpoint", "/v1/ocr").containsEntry("completion_window", "24h")
                .containsEntry("metadata", Map.of("project", "archive"));
        assertThat(((Number) created.get("expires_at")).longValue() - ((Number) created.get("created_at")).longValue())
                .isEqualTo(24 * 3600);

        // when the runner has submitted the lines
        await().atMost(WAIT).until(() -> jobOf(id, "scan-a") != null && jobOf(id, "scan-b") != null);
        String jobA = jobOf(id, "scan-a");
        String jobB = jobOf(id, "scan-b");
        assertThat(batch(KEY_A, id)).containsEntry("status", "in_progress").extractingByKey("in_progress_at").isNotNull();

        // and a step is lost after submitting (as if the gateway died before recording the job)
        jdbc.sql("update batch_items set job_id = null where batch_id = ? and custom_id = 'scan-a'").param(id).update();

        // then the repeated step finds the same job instead of running the line again
        await().atMost(WAIT).until(() -> jobOf(id, "scan-a") != null);
        assertThat(jobOf(id, "scan-a")).isEqualTo(jobA);
        assertThat(jdbc.sql("select count(*) from jobs where idempotency_key like ?").param("batch/" + id + "/%")
                .query(Long.class).single()).isEqualTo(2);

        // when the stage answers one and fails the other
        publish(jobA + ":ocr:succeeded", EventTypes.JOB_SUCCEEDED,
                JobEvent.succeeded(jobA, Stage.OCR, JobResult.of(new OcrResult(10, 10, List.of(), "TOTAL 42.00"))));
        publish(jobB + ":ocr:failed", EventTypes.JOB_FAILED,
                JobEvent.failed(jobB, Stage.OCR, new Failure(ErrorCode.CORRUPT_MEDIA, "truncated PNG")));

        // then the batch completes with OpenAI's counts and timestamps
        Map<String, Object> done = awaitStatus(KEY_A, id, "completed");
        assertThat(done.get("request_counts")).isEqualTo(Map.of("total", 3, "completed", 1, "failed", 2));
        assertThat(done).extractingByKeys("finalizing_at", "completed_at", "output_file_id", "error_file_id").doesNotContainNull();
        assertThat(done.get("failed_at")).isNull();

        // and the output file holds the answered line, shaped as OpenAI writes it
        List<JsonNode> output = content(KEY_A, (String) done.get("output_file_id"));
        assertThat(output).singleElement().satisfies(line -> {
            assertThat(line.get("id").asString()).startsWith("batch_req_");
            assertThat(line.get("custom_id").asString()).isEqualTo("scan-a");
            assertThat(line.get("response").get("status_code").asInt()).isEqualTo(200);
            assertThat(line.get("response").get("request_id").asString()).isEqualTo(jobA);
            assertThat(line.get("response").get("body").get("text").asString()).isEqualTo("TOTAL 42.00");
            assertThat(line.get("error").isNull()).isTrue();
        });
        // and the error file the failed and the refused ones, with the status the endpoint would answer
        List<JsonNode> errors = content(KEY_A, (String) done.get("error_file_id"));
        assertThat(errors).extracting(line -> line.get("custom_id").asString()).containsExactly("scan-b", "bad");
        assertThat(errors.get(0).get("response").get("status_code").asInt()).isEqualTo(422);
        assertThat(errors.get(0).get("response").get("body").get("error").get("code").asString()).isEqualTo("corrupt_media");
        assertThat(errors.get(1).get("response").get("status_code").asInt()).isEqualTo(400);
        assertThat(errors.get(1).get("response").get("body").get("error").get("message").asString()).contains("'image'");
        as(KEY_A).get().uri("/v1/files/{id}", done.get("output_file_id")).exchange().expectStatus().isOk().expectBody(MAP)
                .value(file -> assertThat(file).containsEntry("purpose", "batch_output"));

        // and a finished batch cannot be cancelled; another tenant does not see it
        as(KEY_A).post().uri("/v1/batches/{id}/cancel", id).exchange().expectStatus().isEqualTo(409);
        as(KEY_B).get().uri("/v1/batches/{id}", id).exchange().expectStatus().isNotFound();
    }

    @Test
    void aCancelledBatchCancelsItsJobsAndAnswersEveryLineInTheErrorFile() {
        String input = jsonl(ocrLine("one", uploadImage()), ocrLine("two", uploadImage()));
        String id = (String) createBatch(KEY_A, input, "/v1/ocr", null).get("id");
        await().atMost(WAIT).until(() -> jobOf(id, "one") != null && jobOf(id, "two") != null);

        // when the client cancels
        Map<String, Object> cancelling = as(KEY_A).post().uri("/v1/batches/{id}/cancel", id).exchange()
                .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
        assertThat(cancelling.get("status")).isIn("cancelling", "cancelled");
        assertThat(cancelling.get("cancelling_at")).isNotNull();

        // then the batch ends cancelled, its jobs are cancelled, every line is answered batch_cancelled
        Map<String, Object> cancelled = awaitStatus(KEY_A, id, "cancelled");
        assertThat(cancelled.get("cancelled_at")).isNotNull();
        assertThat(cancelled.get("output_file_id")).isNull();
        assertThat(cancelled.get("request_counts")).isEqualTo(Map.of("total", 2, "completed", 0, "failed", 2));
        List<JsonNode> errors = content(KEY_A, (String) cancelled.get("error_file_id"));
        assertThat(errors).extracting(line -> line.get("custom_id").asString()).containsExactly("one", "two");
        assertThat(errors).allSatisfy(line -> {
            assertThat(line.get("response").isNull()).isTrue();
            assertThat(line.get("error").get("code").asString()).isEqualTo("batch_cancelled");
        });
        assertThat(jdbc.sql("select status from jobs where id in (?, ?)").param(jobOf(id, "one")).param(jobOf(id, "two"))
                .query(String.class).list()).containsOnly("CANCELLED");
        // and cancelling again answers the batch as it is
        as(KEY_A).post().uri("/v1/batches/{id}/cancel", id).exchange().expectStatus().isOk().expectBody(MAP)
                .value(again -> assertThat(again).containsEntry("status", "cancelled"));
    }

    @Test
    void aBatchPastItsCompletionWindowExpiresKeepingFinishedLinesAndAnsweringTheRestBatchExpired() {
        // given a batch of two lines whose files expire an hour after they are written
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("input_file_id", uploadFile(KEY_A, jsonl(ocrLine("early", uploadImage()), ocrLine("late", uploadImage()))));
        body.put("endpoint", "/v1/ocr");
        body.put("completion_window", "24h");
        body.put("output_expires_after", Map.of("anchor", "created_at", "seconds", 3600));
        String id = (String) create(KEY_A, body).isOk().expectBody(MAP).returnResult().getResponseBody().get("id");
        await().atMost(WAIT).until(() -> jobOf(id, "early") != null && jobOf(id, "late") != null);
        // and one line answered and recorded before the window ends
        String early = jobOf(id, "early");
        publish(early + ":ocr:succeeded", EventTypes.JOB_SUCCEEDED,
                JobEvent.succeeded(early, Stage.OCR, JobResult.of(new OcrResult(10, 10, List.of(), "in time"))));
        await().atMost(WAIT).until(() -> jdbc.sql("select count(*) from batch_items where batch_id = ? and output is not null")
                .param(id).query(Long.class).single() == 1);

        // when its 24 hours have passed (by the database clock)
        jdbc.sql("update batches set expires_at = now() - interval '1 second' where id = ?").param(id).update();

        // then it expires as OpenAI's do: expired_at set, the finished line in the output file
        Map<String, Object> expired = awaitStatus(KEY_A, id, "expired");
        assertThat(expired.get("expired_at")).isNotNull();
        assertThat(expired.get("completed_at")).isNull();
        assertThat(expired.get("request_counts")).isEqualTo(Map.of("total", 2, "completed", 1, "failed", 1));
        assertThat(content(KEY_A, (String) expired.get("output_file_id"))).singleElement().satisfies(line -> {
            assertThat(line.get("custom_id").asString()).isEqualTo("early");
            assertThat(line.get("response").get("body").get("text").asString()).isEqualTo("in time");
        });
        // and the unfinished one in the error file with batch_expired, its job cancelled
        List<JsonNode> errors = content(KEY_A, (String) expired.get("error_file_id"));
        assertThat(errors).singleElement().satisfies(line -> {
            assertThat(line.get("custom_id").asString()).isEqualTo("late");
            assertThat(line.get("response").isNull()).isTrue();
            assertThat(line.get("error").get("code").asString()).isEqualTo("batch_expired");
        });
        assertThat(jdbc.sql("select status from jobs where id = ?").param(jobOf(id, "late")).query(String.class).single())
                .isEqualTo("CANCELLED");
        // and both files expire an hour after they were written (output_expires_after)
        for (String file : List.of((String) expired.get("output_file_id"), (String) expired.get("error_file_id"))) {
            Map<String, Object> view = as(KEY_A).get().uri("/v1/files/{id}", file).exchange().expectStatus().isOk()
                    .expectBody(MAP).returnResult().getResponseBody();
            assertThat(((Number) view.get("expires_at")).longValue() - ((Number) view.get("created_at")).longValue())
                    .isEqualTo(3600);
        }
    }

    @Test
    void anOutputExpiryOpenAIRefusesIsRefused() {
        String file = uploadFile(KEY_A, jsonl(ocrLine("x", "media-x")));
        Map<String, Object> body = new LinkedHashMap<>(Map.of("input_file_id", file, "endpoint", "/v1/ocr", "completion_window", "24h"));
        body.put("output_expires_after", Map.of("anchor", "created_at", "seconds", 59));
        create(KEY_A, body).isBadRequest().expectBody(MAP)
                .value(problem -> assertThat((String) problem.get("detail")).contains("'output_expires_after.seconds'"));
        body.put("output_expires_after", Map.of("seconds", 3600));
        create(KEY_A, body).isBadRequest().expectBody(MAP)
                .value(problem -> assertThat((String) problem.get("detail")).contains("'output_expires_after.anchor'"));
    }

    @Test
    void batchJobsTravelAtBatchPriorityAndHoldAtMostTheirShareOfAKind() {
        // given no other batch OCR job in flight (earlier tests' leftovers are ended by hand)
        jdbc.sql("""
                update jobs set status = 'CANCELLED', finished_at = now()
                where kind = 'OCR' and priority = 'BATCH' and status in ('QUEUED', 'RUNNING')""").update();
        // and a batch of ten OCR lines: two more than jobs.max-active-batch-per-kind (8)
        String image = uploadImage();
        String[] lines = new String[10];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = ocrLine("page-" + i, image);
        }
        String id = (String) createBatch(KEY_A, jsonl(lines), "/v1/ocr", null).get("id");

        // when the runner has stepped it (one step submits every line it may, in one transaction)
        await().atMost(WAIT).until(() -> submitted(id) >= 8);

        // then eight run and two wait, although the batch's own max-in-flight (64) would allow all ten
        assertThat(submitted(id)).isEqualTo(8);
        // and the jobs are batch jobs, so is the stage request that carries them
        String first = jobOf(id, "page-0");
        assertThat(jdbc.sql("select priority from jobs where id = ?").param(first).query(String.class).single()).isEqualTo("BATCH");
        assertThat(jdbc.sql("select convert_from(envelope, 'UTF8')::jsonb -> 'data' ->> 'priority' from outbox where message_key = ?").param(first)
                .query(String.class).single()).isEqualTo("BATCH");
        // and an interactive job of the same kind is still accepted, as interactive
        String interactive = as(KEY_A).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("kind", "OCR", "payload", Map.of("media", image, "languages", List.of("en"))))
                .exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody().get("id").toString();
        assertThat(jdbc.sql("select priority from jobs where id = ?").param(interactive).query(String.class).single())
                .isEqualTo("INTERACTIVE");

        // when the stage answers one batch job, the next line takes its place, and still no more than eight run
        publish(first + ":ocr:succeeded", EventTypes.JOB_SUCCEEDED,
                JobEvent.succeeded(first, Stage.OCR, JobResult.of(new OcrResult(10, 10, List.of(), "p0"))));
        await().atMost(WAIT).until(() -> submitted(id) >= 9);
        assertThat(submitted(id)).isEqualTo(9);
        assertThat(jdbc.sql("""
                select count(*) from jobs where kind = 'OCR' and priority = 'BATCH' and status in ('QUEUED', 'RUNNING')""")
                .query(Long.class).single()).isEqualTo(8);

        // cleanup: the rest of the batch is not needed
        as(KEY_A).post().uri("/v1/batches/{id}/cancel", id).exchange().expectStatus().isOk();
        awaitStatus(KEY_A, id, "cancelled");
    }

    @Test
    void aMalformedInputFileFailsTheBatchWithLineNumbers() {
        String input = String.join("\n",
                line("first", "/v1/chat/completions", Map.of("model", "no-such-model", "messages", List.of())),
                "{\"custom_id\": ",
                line("first", "/v1/chat/completions", Map.of("model", "no-such-model")),
                line("third", "/v1/ocr", Map.of("image", "x"))) + "\n";
        String id = (String) createBatch(KEY_A, input, "/v1/chat/completions", null).get("id");

        Map<String, Object> failed = awaitStatus(KEY_A, id, "failed");
        assertThat(failed.get("failed_at")).isNotNull();
        JsonNode errors = JSON.valueToTree(failed.get("errors"));
        assertThat(errors.get("object").asString()).isEqualTo("list");
        List<String> found = new ArrayList<>();
        errors.get("data").forEach(error -> found.add(error.get("line").asInt() + ":" + error.get("code").asString()));
        assertThat(found).containsExactly("1:model_not_found", "2:invalid_json_line", "3:duplicate_custom_id",
                "4:mismatched_endpoint");
        assertThat(failed.get("request_counts")).isEqualTo(Map.of("total", 0, "completed", 0, "failed", 0));
    }

    @Test
    void creationChecksTheRequestAndTheFileOwner() {
        String file = uploadFile(KEY_A, jsonl(ocrLine("x", "media-x")));
        create(KEY_A, Map.of("input_file_id", file, "endpoint", "/v1/embeddings", "completion_window", "24h")).isBadRequest();
        create(KEY_A, Map.of("input_file_id", file, "endpoint", "/v1/ocr", "completion_window", "1h")).isBadRequest();
        create(KEY_A, Map.of("input_file_id", "file-nope", "endpoint", "/v1/ocr", "completion_window", "24h")).isBadRequest();
        create(KEY_B, Map.of("input_file_id", file, "endpoint", "/v1/ocr", "completion_window", "24h")).isBadRequest();
        as(KEY_A).get().uri("/v1/batches/batch_nope").exchange().expectStatus().isNotFound();
    }

    @Test
    void theListIsNewestFirstAndPagedWithAfter() {
        String file = uploadFile(KEY_B, jsonl(ocrLine("x", "media-that-does-not-exist")));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add((String) create(KEY_B, Map.of("input_file_id", file, "endpoint", "/v1/ocr", "completion_window", "24h"))
                    .isOk().expectBody(MAP).returnResult().getResponseBody().get("id"));
        }
        Map<String, Object> page = as(KEY_B).get().uri("/v1/batches?limit=2").exchange().expectStatus().isOk()
                .expectBody(MAP).returnResult().getResponseBody();
        assertThat(page).containsEntry("object", "list").containsEntry("has_more", true)
                .containsEntry("first_id", ids.get(2)).containsEntry("last_id", ids.get(1));
        Map<String, Object> next = as(KEY_B).get().uri("/v1/batches?limit=2&after=" + ids.get(1)).exchange()
                .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
        assertThat(next.get("first_id")).isEqualTo(ids.get(0));

        // and a line whose media does not exist is answered in the error file, the batch completes
        Map<String, Object> done = awaitStatus(KEY_B, ids.get(0), "completed");
        assertThat(done.get("request_counts")).isEqualTo(Map.of("total", 1, "completed", 0, "failed", 1));
    }

    private StatusAssertions create(String key, Map<String, Object> body) {
        return as(key).post().uri("/v1/batches").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange().expectStatus();
    }

    private Map<String, Object> createBatch(String key, String input, String endpoint, Map<String, String> metadata) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("input_file_id", uploadFile(key, input));
        body.put("endpoint", endpoint);
        body.put("completion_window", "24h");
        if (metadata != null) {
            body.put("metadata", metadata);
        }
        return create(key, body).isOk().expectBody(MAP).returnResult().getResponseBody();
    }

    private String uploadFile(String key, String content) {
        return (String) FilesApiIT.upload(as(key), "input.jsonl", content.getBytes(StandardCharsets.UTF_8), "batch").get("id");
    }

    private String uploadImage() {
        return (String) as(KEY_A).post().uri("/v1/media").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(TestMedia.png(1_000)).exchange().expectStatus().isCreated()
                .expectBody(MAP).returnResult().getResponseBody().get("id");
    }

    private Map<String, Object> batch(String key, String id) {
        return as(key).get().uri("/v1/batches/{id}", id).exchange().expectStatus().isOk().expectBody(MAP)
                .returnResult().getResponseBody();
    }

    private Map<String, Object> awaitStatus(String key, String id, String status) {
        List<Map<String, Object>> last = new ArrayList<>(List.of(Map.of()));
        await().atMost(WAIT).pollInterval(java.time.Duration.ofMillis(300)).untilAsserted(() -> {
            last.set(0, batch(key, id));
            assertThat(last.getFirst().get("status")).as(last.getFirst().toString()).isEqualTo(status);
        });
        return last.getFirst();
    }

    private List<JsonNode> content(String key, String fileId) {
        String text = new String(as(key).get().uri("/v1/files/{id}/content", fileId).exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody(), StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        return text.lines().map(JSON::readTree).toList();
    }

    private long submitted(String batchId) {
        return jdbc.sql("select count(*) from batch_items where batch_id = ? and job_id is not null").param(batchId)
                .query(Long.class).single();
    }

    private String jobOf(String batchId, String customId) {
        List<String> rows = jdbc.sql("select job_id from batch_items where batch_id = ? and custom_id = ?")
                .param(batchId).param(customId).query(String.class).list();
        return rows.isEmpty() ? null : rows.getFirst();
    }

    private void publish(String id, String type, JobEvent event) {
        publisher.publish(Topics.JOB_EVENTS, Envelope.withId(id, type, "test-stage", event.jobId(), event));
    }

    private static String ocrLine(String customId, String mediaId) {
        return line(customId, "/v1/ocr", Map.of("image", mediaId, "languages", List.of("en")));
    }

    private static String line(String customId, String url, Map<String, Object> body) {
        return JSON.writeValueAsString(Map.of("custom_id", customId, "method", "POST", "url", url, "body", body));
    }

    private static String jsonl(String... lines) {
        return String.join("\n", lines) + "\n";
    }
}
