package dev.ovis.serve.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponse;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * The OpenAI Batch API end to end through the one-JVM suite, driven by the official OpenAI Java
 * SDK exactly as a client of OpenAI would: upload a JSONL file, create a batch, poll it to
 * {@code completed}, read the output and error files. The tiny model runs every line for real, so
 * the answers must be the PyTorch reference's greedy texts.
 */
@ExtendWith(RunningSuite.class)
class BatchEndToEndIT {

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
    void theSdkRunsABatchOfTextAndImageChatsAndReadsOneLinePerCustomId(@TempDir Path dir) throws Exception {
        // given a JSONL file: a text chat, an image chat (data URI) and a line the chat endpoint refuses
        ChatApi.Reference text = ChatApi.Reference.named("text_only");
        ChatApi.Reference image = ChatApi.Reference.named("one_image");
        String question = image.userText().substring("<image>\n".length());
        String input = String.join("\n",
                line("text-1", Map.of("model", model, "max_tokens", text.maxNewTokens(), "temperature", 0,
                        "messages", List.of(Map.of("role", "user", "content", text.userText())))),
                line("image-1", Map.of("model", model, "max_tokens", image.maxNewTokens(), "temperature", 0,
                        "max_partition", image.maxPartitions().getFirst(),
                        "messages", List.of(Map.of("role", "user", "content", List.of(
                                Map.of("type", "image_url", "image_url", Map.of("url", ChatApi.dataUri(image.images().getFirst()))),
                                Map.of("type", "text", "text", question)))))),
                line("invalid-1", Map.of("model", model, "n", 2,
                        "messages", List.of(Map.of("role", "user", "content", "two answers please")))))
                + "\n";
        Path file = dir.resolve("requests.jsonl");
        Files.writeString(file, input);

        // when the SDK uploads it and creates a batch
        FileObject uploaded = sdk.files().create(FileCreateParams.builder().file(file).purpose(FilePurpose.BATCH).build());
        assertThat(uploaded.bytes()).isEqualTo(Files.size(file));
        assertThat(uploaded.filename()).isEqualTo("requests.jsonl");
        Batch created = sdk.batches().create(BatchCreateParams.builder().inputFileId(uploaded.id())
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H)
                .metadata(BatchCreateParams.Metadata.builder().putAdditionalProperty("suite", JsonValue.from("e2e")).build())
                .build());
        assertThat(created.status()).isEqualTo(Batch.Status.VALIDATING);

        // then polling with the SDK sees it complete
        AtomicReference<Batch> last = new AtomicReference<>(created);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            last.set(sdk.batches().retrieve(created.id()));
            assertThat(last.get().status()).as(last.get().toString()).isIn(Batch.Status.VALIDATING,
                    Batch.Status.IN_PROGRESS, Batch.Status.FINALIZING, Batch.Status.COMPLETED);
            return last.get().status().equals(Batch.Status.COMPLETED);
        });
        Batch done = last.get();
        assertThat(done.requestCounts().orElseThrow().total()).isEqualTo(3);
        assertThat(done.requestCounts().orElseThrow().completed()).isEqualTo(2);
        assertThat(done.requestCounts().orElseThrow().failed()).isEqualTo(1);
        assertThat(done.completedAt()).isPresent();

        // and the output file answers the two chats, one line each, with the reference texts
        List<JsonNode> output = read(done.outputFileId().orElseThrow());
        assertThat(output).extracting(line -> line.get("custom_id").asString()).containsExactlyInAnyOrder("text-1", "image-1");
        for (JsonNode line : output) {
            assertThat(line.get("response").get("status_code").asInt()).isEqualTo(200);
            JsonNode body = line.get("response").get("body");
            assertThat(body.get("object").asString()).isEqualTo("chat.completion");
            String expected = line.get("custom_id").asString().equals("text-1") ? text.text() : image.text();
            assertThat(body.get("choices").get(0).get("message").get("content").asString()).isEqualTo(expected);
            assertThat(line.get("error").isNull()).isTrue();
        }
        // and the error file holds the refused line with the 400 the chat endpoint answers
        List<JsonNode> errors = read(done.errorFileId().orElseThrow());
        assertThat(errors).singleElement().satisfies(line -> {
            assertThat(line.get("custom_id").asString()).isEqualTo("invalid-1");
            assertThat(line.get("response").get("status_code").asInt()).isEqualTo(400);
            assertThat(line.get("response").get("body").get("error").get("message").asString()).contains("'n'");
        });
        // and the batch is listed
        assertThat(sdk.batches().list().data()).extracting(Batch::id).contains(created.id());
    }

    private static List<JsonNode> read(String fileId) throws IOException {
        try (HttpResponse response = sdk.files().content(fileId); InputStream body = response.body()) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8).lines().map(ChatApi::json).toList();
        }
    }

    private static String line(String customId, Map<String, Object> body) {
        return ChatApi.JSON.writeValueAsString(Map.of("custom_id", customId, "method", "POST",
                "url", "/v1/chat/completions", "body", body));
    }
}
