package dev.ovis.serve.gateway.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.job.DeadLetter;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.gateway.TestMedia;
import dev.ovis.serve.gateway.job.JobService;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.testing.TopicRecorder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * PostgreSQL goes away under a running gateway (its connections are cut by {@link TcpCut}, the
 * shared server keeps running for the other tests): new work is answered 503 with Retry-After after
 * at most Hikari's connection timeout — not a 500, not a 30 s hang — and the gateway serves again by
 * itself once the database is back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "ovis.gateway.instance-id=gateway-outage-it",
        "ovis.gateway.auth.keys.key-outage=tenant-outage",
        "ovis.gateway.limits.enabled=false",
        // a rejected event would be dead-lettered after two tries: the outage must not count as one
        "ovis.gateway.jobs.event-max-attempts=2",
        "ovis.gateway.ocr.sync-timeout=15s"})
class DatabaseOutageIT {

    @Autowired
    JobService jobs;
    @Autowired
    EnvelopePublisher publisher;

    private static TcpCut database;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        database = TcpCut.inFrontOfTheDatabase(registry);
    }

    @AfterAll
    static void closeCut() throws Exception {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void withTheDatabaseGoneNewWorkIs503WithRetryAfterAndServingResumesByItself() {
        WebTestClient client = WebTestClient.bindToServer(new ReactorClientHttpConnector(HttpClient.create(ConnectionProvider.newConnection())))
                .baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(60))
                .defaultHeader("Authorization", "Bearer key-outage").build();
        upload(client, 2100).expectStatus().isCreated();

        database.cut();
        long start = System.nanoTime();
        EntityExchangeResult<byte[]> refused = upload(client, 2200).expectStatus().isEqualTo(503)
                .expectHeader().exists("Retry-After")
                .expectBody().jsonPath("$.code").isEqualTo("unavailable")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("database"))
                .returnResult();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("Database outage: answered %d in %.2f s%n", refused.getStatus().value(), seconds);
        client.get().uri("/v1/jobs").exchange().expectStatus().isEqualTo(503);

        database.restore();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> upload(client, 2300).expectStatus().isCreated());
        client.get().uri("/v1/jobs").exchange().expectStatus().isOk();
    }

    /**
     * A synchronous OCR request whose job was stored before the database went away is answered 202
     * with its job (it runs, and is read from /v1/jobs/{id} later), not 503: a client told to retry
     * would run the job twice (the multi-process fault test saw it on /v1/video/keyframes).
     */
    @Test
    void aSyncRequestWhoseJobWasAcceptedIsAnswered202WithTheJobWhenTheDatabaseGoesWhileItWaits() throws Exception {
        WebTestClient client = WebTestClient.bindToServer(new ReactorClientHttpConnector(HttpClient.create(ConnectionProvider.newConnection())))
                .baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(60))
                .defaultHeader("Authorization", "Bearer key-outage").build();
        String[] media = new String[1];
        upload(client, 2400).expectStatus().isCreated().expectBody().jsonPath("$.id").value(id -> media[0] = (String) id);
        long before = jobsOfTenant();
        // no OCR stage runs here: the job stays queued and the request waits (sync-timeout 15 s); whether the
        // wait fails with the database or outlasts it, the answer is the accepted job
        CompletableFuture<EntityExchangeResult<byte[]>> answer = CompletableFuture.supplyAsync(
                () -> client.post().uri("/v1/ocr").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"image\": \"" + media[0] + "\"}").exchange().expectBody().returnResult());
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> jobsOfTenant() > before);
            database.cut();
            EntityExchangeResult<byte[]> result = answer.get(60, TimeUnit.SECONDS);
            String body = new String(result.getResponseBodyContent(), StandardCharsets.UTF_8);
            assertThat(result.getStatus().value()).as(body).isEqualTo(202);
            assertThat(body).contains("\"status\"");
        } finally {
            database.restore();
        }
    }

    @Test
    void aJobEventArrivingWhileTheDatabaseIsGoneWaitsForItInsteadOfBeingDeadLettered() throws Exception {
        JobPayload payload = JobPayload.of(new ChatTask("tiny", List.of(
                new ChatMessage(Role.USER, List.of(ContentPart.text("hi")))), SamplingParams.REFERENCE, false));
        String jobId = jobs.submit("tenant-outage", payload, new Route(List.of(Stage.LLM)), null, null).block().job().id();
        try (TopicRecorder deadLetters = new TopicRecorder(Topics.DEAD_LETTERS)) {
            database.cut();
            try {
                publisher.publish(Topics.JOB_EVENTS, Envelope.withId(jobId + ":llm:running", EventTypes.JOB_STARTED,
                        "test-stage", jobId, JobEvent.started(jobId, Stage.LLM)));
                // far longer than two attempts take (each is refused at once): a lost connection is not a rejection
                await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(12))
                        .until(() -> deadLetters.envelopes(Topics.DEAD_LETTERS, jobId).isEmpty());
            } finally {
                database.restore();
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> statusOf(jobId).equals("RUNNING"));
            assertThat(deadLetters.envelopes(Topics.DEAD_LETTERS, jobId)).isEmpty();
        }
    }

    /** Jobs of this class's tenant, read past the cut. */
    private static long jobsOfTenant() throws Exception {
        return queryPastTheCut("select count(*) from jobs where tenant = ?", "tenant-outage", rows -> rows.getLong(1), 0L);
    }

    /** A job's status, read past the cut. */
    private static String statusOf(String jobId) throws Exception {
        return queryPastTheCut("select status from jobs where id = ?", jobId, rows -> rows.getString(1), "");
    }

    private interface Column<T> {
        T read(ResultSet rows) throws SQLException;
    }

    private static <T> T queryPastTheCut(String sql, String parameter, Column<T> column, T none) throws SQLException {
        try (Connection connection = TcpCut.pastTheCut(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? column.read(rows) : none;
            }
        }
    }

    private static WebTestClient.ResponseSpec upload(WebTestClient client, int size) {
        return client.post().uri("/v1/media").contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(TestMedia.png(size)).exchange();
    }
}
