package dev.ovis.serve.gateway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.ocr.OcrResult;
import dev.ovis.serve.gateway.GatewayIntegrationTest;
import dev.ovis.serve.gateway.TestMedia;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.testing.TopicRecorder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Kafka interface with plain Kafka clients, as a pipeline would use it: requests with
 * {@code authorization} and {@code reply-to} headers in, exactly one OpenAI output line per
 * {@code custom_id} out, error lines for a bad key, bad JSON, a refused body and a forbidden reply
 * topic. The test stands in for the OCR stage.
 */
class PipelineKafkaIT extends GatewayIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    EnvelopePublisher publisher;
    @Autowired
    JdbcClient jdbc;

    @Test
    void eachCustomIdIsAnsweredOnceOnItsReplyTopicAndEveryBadRequestGetsAnErrorLine() throws InterruptedException {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String media = uploadImage();
        String tenantTopic = Topics.BATCH_RESULTS + ".tenant-a";
        try (KafkaProducer<String, byte[]> producer = producer(); TopicRecorder results = new TopicRecorder(Topics.BATCH_RESULTS, tenantTopic)) {
            String ok = run + "-ok";
            String ordered = run + "-partition"; // one record key: these land on one partition, in order
            // given a request sent twice, one to the tenant's own topic, and bad ones
            send(producer, ordered, ocr(ok, media), "Bearer " + KEY_A, null);
            send(producer, ordered, ocr(ok, media), "Bearer " + KEY_A, null);
            send(producer, run + "-own", ocr(run + "-own", media), "Bearer " + KEY_A, tenantTopic);
            send(producer, run + "-refused", line(run + "-refused", Map.of("image", 42)), "Bearer " + KEY_A, null);
            send(producer, run + "-nokey", ocr(run + "-nokey", media), null, null);
            send(producer, run + "-badkey", ocr(run + "-badkey", media), "Bearer not-a-key", null);
            send(producer, run + "-forbidden", ocr(run + "-forbidden", media), "Bearer " + KEY_A,
                    Topics.BATCH_RESULTS + ".tenant-b");
            producer.send(record(run + "-badjson", "{oops".getBytes(StandardCharsets.UTF_8), "Bearer " + KEY_A, null));
            send(producer, ordered, ocr(run + "-after-duplicate", media), null, null);
            producer.flush();

            // when the stage answers the two accepted ones
            await().atMost(WAIT).until(() -> job(ok) != null && job(run + "-own") != null);
            for (String customId : List.of(ok, run + "-own")) {
                String jobId = job(customId);
                publisher.publish(Topics.JOB_EVENTS, Envelope.withId(jobId + ":ocr:succeeded", EventTypes.JOB_SUCCEEDED,
                        "test-stage", jobId, JobEvent.succeeded(jobId, Stage.OCR,
                                JobResult.of(new OcrResult(10, 10, List.of(), "text of " + customId)))));
            }

            // then every request is answered, keyed by its custom_id (the record key for bad JSON)
            List<String> expected = List.of(ok, run + "-own", run + "-refused", run + "-nokey", run + "-badkey",
                    run + "-forbidden", run + "-badjson", run + "-after-duplicate");
            await().atMost(WAIT).until(() -> ofRun(results, run).stream().map(ConsumerRecord::key).toList().containsAll(expected));
            List<ConsumerRecord<String, byte[]>> received = ofRun(results, run);
            // and the request sent twice is answered once (its duplicate came before "after-duplicate" on one partition)
            assertThat(received).extracting(ConsumerRecord::key).filteredOn(ok::equals).hasSize(1);
            assertThat(jdbc.sql("select count(*) from jobs where idempotency_key = ?").param("pipeline/" + ok)
                    .query(Long.class).single()).isEqualTo(1);

            JsonNode answer = value(received, ok);
            assertThat(topic(received, ok)).isEqualTo(Topics.BATCH_RESULTS);
            assertThat(answer.get("id").asString()).startsWith("batch_req_");
            assertThat(answer.get("custom_id").asString()).isEqualTo(ok);
            assertThat(answer.get("response").get("status_code").asInt()).isEqualTo(200);
            assertThat(answer.get("response").get("request_id").asString()).isEqualTo(job(ok));
            assertThat(answer.get("response").get("body").get("text").asString()).isEqualTo("text of " + ok);
            assertThat(answer.get("error").isNull()).isTrue();

            assertThat(topic(received, run + "-own")).isEqualTo(tenantTopic);
            assertThat(value(received, run + "-own").get("response").get("body").get("text").asString())
                    .isEqualTo("text of " + run + "-own");
            assertThat(value(received, run + "-refused").get("response").get("status_code").asInt()).isEqualTo(400);
            assertThat(errorCode(received, run + "-nokey")).isEqualTo("invalid_api_key");
            assertThat(errorCode(received, run + "-badkey")).isEqualTo("invalid_api_key");
            assertThat(errorCode(received, run + "-forbidden")).isEqualTo("reply_topic_not_allowed");
            assertThat(topic(received, run + "-forbidden")).isEqualTo(Topics.BATCH_RESULTS);
            assertThat(errorCode(received, run + "-badjson")).isEqualTo("invalid_json_line");
            assertThat(value(received, run + "-badjson").get("custom_id").isNull()).isTrue();
        }
    }

    private String job(String customId) {
        List<String> rows = jdbc.sql("select job_id from pipeline_requests where tenant = 'tenant-a' and custom_id = ?")
                .param(customId).query(String.class).list();
        return rows.isEmpty() ? null : rows.getFirst();
    }

    private static String errorCode(List<ConsumerRecord<String, byte[]>> received, String key) {
        JsonNode line = value(received, key);
        assertThat(line.get("response").isNull()).as(line.toString()).isTrue();
        return line.get("error").get("code").asString();
    }

    private static JsonNode value(List<ConsumerRecord<String, byte[]>> received, String key) {
        return JSON.readTree(received.stream().filter(r -> key.equals(r.key())).findFirst().orElseThrow().value());
    }

    private static String topic(List<ConsumerRecord<String, byte[]>> received, String key) {
        return received.stream().filter(r -> key.equals(r.key())).findFirst().orElseThrow().topic();
    }

    private static void send(KafkaProducer<String, byte[]> producer, String recordKey, String value, String authorization,
                             String replyTo) {
        producer.send(record(recordKey, value.getBytes(StandardCharsets.UTF_8), authorization, replyTo));
    }

    private static ProducerRecord<String, byte[]> record(String key, byte[] value, String authorization, String replyTo) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.BATCH_REQUESTS, key, value);
        if (authorization != null) {
            record.headers().add("authorization", authorization.getBytes(StandardCharsets.UTF_8));
        }
        if (replyTo != null) {
            record.headers().add("reply-to", replyTo.getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }

    private static String ocr(String customId, String media) {
        return line(customId, Map.of("image", media));
    }

    private static String line(String customId, Map<String, Object> body) {
        return JSON.writeValueAsString(Map.of("custom_id", customId, "method", "POST", "url", "/v1/ocr", "body", body));
    }

    private String uploadImage() {
        return (String) as(KEY_A).post().uri("/v1/media").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(TestMedia.png(1_000)).exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody().get("id");
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.get().kafkaBootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static List<ConsumerRecord<String, byte[]>> ofRun(TopicRecorder results, String run) {
        return results.records().stream().filter(r -> r.key() != null && r.key().startsWith(run)).toList();
    }
}
