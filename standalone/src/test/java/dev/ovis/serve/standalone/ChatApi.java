package dev.ovis.serve.standalone;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import tools.jackson.databind.JsonNode;
import org.awaitility.Awaitility;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the chat end-to-end tests share: the OpenAI SDK and plain HTTP pointed at a gateway, the
 * tiny fixture's PyTorch reference conversations, and the fixture's test images as data URIs.
 */
final class ChatApi {

    static final Path FIXTURE = Path.of("..", "fixtures", "tiny-ovis2").toAbsolutePath().normalize();
    static final JsonMapper JSON = JsonMapper.builder().build();

    private ChatApi() {
    }

    /** The official OpenAI Java SDK against {@code baseUrl} (no retries: a test sees every status). */
    static OpenAIClient sdk(String baseUrl, String apiKey) {
        return OpenAIOkHttpClient.builder().baseUrl(baseUrl + "/v1").apiKey(apiKey).maxRetries(0)
                .timeout(Duration.ofMinutes(3)).build();
    }

    static HttpResponse<String> post(HttpClient http, String baseUrl, String apiKey, String path, String contentType,
                                     String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofMinutes(3))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(HttpClient http, String baseUrl, String apiKey, String path)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofMinutes(1))
                .header("Authorization", "Bearer " + apiKey).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls {@code GET /v1/jobs/{id}} until the job reaches {@code status}; fails on any other end. */
    static JsonNode awaitJob(HttpClient http, String baseUrl, String apiKey, String id, String status) {
        JsonNode[] last = {null};
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = json(get(http, baseUrl, apiKey, "/v1/jobs/" + id).body());
            String now = last[0].get("status").asString();
            assertThat(now).as(last[0].toString()).isIn("QUEUED", "RUNNING", status);
            return now.equals(status);
        });
        return last[0];
    }

    static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    /** A committed fixture image as a {@code data:} URI. */
    static String dataUri(String image) throws IOException {
        byte[] bytes = Files.readAllBytes(FIXTURE.resolve("reference").resolve(image));
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes);
    }

    static ChatCompletionContentPart imagePart(String url) {
        return ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(url).build()).build());
    }

    static ChatCompletionContentPart textPart(String text) {
        return ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(text).build());
    }

    /**
     * One prompt of {@code reference/reference.json}: its user text, images, the greedy token ids
     * PyTorch produced, and those ids decoded by the fixture's tokenizer (what the API must answer).
     */
    record Reference(String name, String userText, List<String> images, List<Integer> maxPartitions,
                     int maxNewTokens, List<Integer> tokens, String text, int sequenceLength) {

        static Reference named(String name) throws IOException {
            JsonNode root = JSON.readTree(FIXTURE.resolve("reference").resolve("reference.json").toFile());
            for (JsonNode prompt : root.get("prompts")) {
                if (prompt.get("name").asString().equals(name)) {
                    List<Integer> tokens = prompt.get("greedy").get("tokens").valueStream().map(JsonNode::asInt).toList();
                    long[] ids = tokens.stream().mapToLong(Integer::longValue).toArray();
                    String text;
                    // As the llm loads it (PromptTokenizer, not on this module's compile class path):
                    // special tokens skipped when decoding.
                    try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                            .optTokenizerPath(FIXTURE.resolve("tokenizer.json")).optAddSpecialTokens(false)
                            .optTruncation(false).optPadding(false).build()) {
                        text = tokenizer.decode(ids, true);
                    }
                    return new Reference(name, prompt.get("user_text").asString(),
                            prompt.get("images").valueStream().map(i -> i.get("file").asString()).toList(),
                            prompt.get("images").valueStream().map(i -> i.get("max_partition").asInt()).toList(),
                            prompt.get("greedy").get("max_new_tokens").asInt(), tokens, text,
                            prompt.get("sequence_length").asInt());
                }
            }
            throw new IllegalArgumentException("no reference prompt " + name);
        }
    }
}
