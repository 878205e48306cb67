package dev.ovis.serve.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponse;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FilePurpose;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A batch survives a gateway restart: the suite's gateway is stopped mid-batch (its Spring context
 * closed, whatever step it was in lost) and a new one started on the same PostgreSQL, Kafka and S3
 * (same port, same arguments, as a restarted process). The batch completes with every line answered
 * exactly once: one output line per custom_id, one job per line, counts right.
 */
@ExtendWith(RunningSuite.class)
class BatchRestartIT {

    private static final int LINES = 40;

    private static OpenAIClient sdk;
    private static String model;

    @BeforeAll
    static void start(StandaloneRun suite) {
        sdk = ChatApi.sdk(suite.gatewayUrl(), suite.apiKey());
        model = ChatEndToEndIT.awaitModel(sdk);
    }

    @AfterAll
    static void close() {
        sdk.close();
    }

    @Test
    void aBatchCompletesWithEveryLineOnceAcrossAGatewayRestart(StandaloneRun suite, @TempDir Path dir) throws Exception {
        // given a batch of text chats, running: the suite's runner submits at most BATCH_IN_FLIGHT lines
        // a tick (one a second) and collects them on the next, so 40 lines take ten ticks or more and
        // the batch is still in progress when the first answers are counted
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < LINES; i++) {
            lines.add(ChatApi.JSON.writeValueAsString(Map.of("custom_id", "line-" + i, "method", "POST",
                    "url", "/v1/chat/completions", "body", Map.of("model", model, "max_tokens", 16, "temperature", 0,
                            "messages", List.of(Map.of("role", "user", "content", "Count to " + i + "."))))));
        }
        Path file = dir.resolve("restart.jsonl");
        Files.writeString(file, String.join("\n", lines) + "\n");
        String input = sdk.files().create(FileCreateParams.builder().file(file).purpose(FilePurpose.BATCH).build()).id();
        String id = sdk.batches().create(BatchCreateParams.builder().inputFileId(input)
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H).build()).id();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> sdk.batches().retrieve(id).requestCounts().map(c -> c.completed() > 0).orElse(false));

        // when the gateway is stopped mid-batch and a new one starts in its place
        Batch before = sdk.batches().retrieve(id);
        assertThat(before.status()).as("still running when the gateway stops").isEqualTo(Batch.Status.IN_PROGRESS);
        assertThat(before.requestCounts().orElseThrow().completed()).isLessThan(LINES);
        suite.restart(Service.SUITE.getFirst(), Duration.ofMinutes(3));

        // then the batch completes through the new gateway
        AtomicReference<Batch> last = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            last.set(sdk.batches().retrieve(id));
            return last.get().status().equals(Batch.Status.COMPLETED);
        });
        Batch done = last.get();
        assertThat(done.requestCounts().orElseThrow().total()).isEqualTo(LINES);
        assertThat(done.requestCounts().orElseThrow().completed()).isEqualTo(LINES);
        assertThat(done.requestCounts().orElseThrow().failed()).isZero();
        assertThat(done.errorFileId()).isEmpty();

        // and the output holds each custom_id exactly once, each answered by its own job
        List<JsonNode> output = read(done.outputFileId().orElseThrow());
        assertThat(output).extracting(line -> line.get("custom_id").asString())
                .containsExactlyElementsOf(lines.stream().map(line -> ChatApi.json(line).get("custom_id").asString()).toList());
        assertThat(output).extracting(line -> line.get("response").get("request_id").asString()).doesNotHaveDuplicates();
        assertThat(output).allSatisfy(line -> assertThat(line.get("response").get("status_code").asInt()).isEqualTo(200));
        // and the suite ran one job per line, never a second one for a line
        assertThat(jobsOf(suite, id)).isEqualTo(LINES);
    }

    private static long jobsOf(StandaloneRun suite, String batchId) throws Exception {
        Map<String, String> db = suite.infrastructure().springProperties();
        try (Connection connection = DriverManager.getConnection(db.get("spring.datasource.url"),
                db.get("spring.datasource.username"), db.get("spring.datasource.password"));
             PreparedStatement count = connection.prepareStatement("select count(*) from jobs where idempotency_key like ?")) {
            count.setString(1, "batch/" + batchId + "/%");
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static List<JsonNode> read(String fileId) throws Exception {
        try (HttpResponse response = sdk.files().content(fileId); InputStream body = response.body()) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8).lines().map(ChatApi::json).toList();
        }
    }
}
