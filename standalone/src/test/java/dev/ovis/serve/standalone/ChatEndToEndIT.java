package dev.ovis.serve.standalone;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The chat API end to end through the one-JVM suite, driven by the official OpenAI Java SDK (and
 * plain HTTP where an SDK cannot send the request): the tiny fixture answers exactly the PyTorch
 * reference's greedy tokens, streamed or not, with and without an image; usage counts the visual
 * positions; errors are problems carrying an OpenAI {@code error}; models, async chat jobs, OCR
 * and key frames work through the same gateway.
 */
@ExtendWith(RunningSuite.class)
class ChatEndToEndIT {

    private static StandaloneRun run;
    private static HttpClient http;
    private static OpenAIClient sdk;
    private static String model;

    @BeforeAll
    static void start(StandaloneRun suite) {
        run = suite;
        http = HttpClient.newHttpClient();
        sdk = ChatApi.sdk(run.gatewayUrl(), run.apiKey());
        model = awaitModel(sdk);
    }

    @AfterAll
    static void close() {
        sdk.close();
        http.close();
    }

    /** The llm service announces its model over Kafka; the gateway lists it once it arrived. */
    static String awaitModel(OpenAIClient client) {
        List<Model> models = new ArrayList<>();
        await().atMost(Duration.ofMinutes(2)).until(() -> {
            models.clear();
            client.models().list().data().forEach(models::add);
            return !models.isEmpty();
        });
        return models.getFirst().id();
    }

    @Test
    void modelsListTheTinyModelWithContextLengthAndCapabilities() throws Exception {
        JsonNode list = ChatApi.json(ChatApi.get(http, run.gatewayUrl(), run.apiKey(), "/v1/models").body());
        assertThat(list.get("object").asString()).isEqualTo("list");
        JsonNode tiny = list.get("data").get(0);
        assertThat(tiny.get("id").asString()).isEqualTo(model).startsWith("ovis2-random-tiny");
        assertThat(tiny.get("object").asString()).isEqualTo("model");
        assertThat(tiny.get("context_length").asInt()).isEqualTo(32768);
        assertThat(tiny.get("capabilities").valueStream().map(JsonNode::asString).toList()).contains("text", "image");
        assertThat(sdk.models().retrieve(model).id()).isEqualTo(model);
    }

    @Test
    void textOnlyAnswerIsTheReferenceGreedyTextStreamedOrNot() throws Exception {
        ChatApi.Reference reference = ChatApi.Reference.named("text_only");
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(model)
                .addUserMessage(reference.userText()).maxCompletionTokens(reference.maxNewTokens()).temperature(0.0)
                .build();

        ChatCompletion completion = sdk.chat().completions().create(params);
        assertThat(completion.choices().getFirst().message().content()).hasValue(reference.text());
        assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(reference.sequenceLength());
        assertThat(usage.completionTokens()).isEqualTo(reference.tokens().size());

        Streamed streamed = stream(sdk, params);
        assertThat(streamed.text()).isEqualTo(reference.text());
        assertThat(streamed.usage().promptTokens()).isEqualTo(usage.promptTokens());
        assertThat(streamed.usage().completionTokens()).isEqualTo(usage.completionTokens());
        assertThat(streamed.finishReason()).isEqualTo("length");
    }

    @Test
    void oneImageAnswerIsTheReferenceGreedyTextAndUsageCountsVisualPositions() throws Exception {
        ChatApi.Reference reference = ChatApi.Reference.named("one_image");
        // The reference's user turn is "<image>\nDescribe the image.": an image part, then the text
        // (the llm joins parts with "\n"), at the reference's max_partition.
        String question = reference.userText().substring("<image>\n".length());
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(model)
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatApi.imagePart(ChatApi.dataUri(reference.images().getFirst())), ChatApi.textPart(question)))
                .maxCompletionTokens(reference.maxNewTokens()).temperature(0.0)
                .putAdditionalBodyProperty("max_partition", JsonValue.from(reference.maxPartitions().getFirst()))
                .build();

        ChatCompletion completion = sdk.chat().completions().create(params);
        assertThat(completion.choices().getFirst().message().content()).hasValue(reference.text());
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isGreaterThanOrEqualTo(259).isEqualTo(reference.sequenceLength());
        assertThat(usage.completionTokens()).isEqualTo(reference.tokens().size());

        Streamed streamed = stream(sdk, params);
        assertThat(streamed.text()).isEqualTo(reference.text());
        assertThat(streamed.usage().promptTokens()).isEqualTo(reference.sequenceLength());
    }

    @Test
    void plainHttpStreamIsServerSentEventsEndingWithUsageThenDone() throws Exception {
        ChatApi.Reference reference = ChatApi.Reference.named("text_only");
        HttpResponse<String> response = chat("""
                {"model": "%s", "max_tokens": %d, "stream": true, "stream_options": {"include_usage": true},
                 "messages": [{"role": "user", "content": %s}]}"""
                .formatted(model, reference.maxNewTokens(), ChatApi.JSON.writeValueAsString(reference.userText())));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        List<String> events = Stream.of(response.body().split("\n\n")).map(String::strip)
                .filter(e -> !e.isEmpty()).toList();
        assertThat(events).allSatisfy(e -> assertThat(e).startsWith("data: "));
        assertThat(events.getLast()).isEqualTo("data: [DONE]");
        JsonNode usageChunk = ChatApi.json(events.get(events.size() - 2).substring("data: ".length()));
        assertThat(usageChunk.get("choices").isEmpty()).isTrue();
        assertThat(usageChunk.get("usage").get("prompt_tokens").asInt()).isEqualTo(reference.sequenceLength());
        StringBuilder text = new StringBuilder();
        for (String event : events.subList(0, events.size() - 2)) {
            JsonNode delta = ChatApi.json(event.substring("data: ".length())).get("choices").get(0).get("delta");
            if (delta.has("content")) {
                text.append(delta.get("content").asString());
            }
        }
        assertThat(text.toString()).isEqualTo(reference.text());
    }

    @Test
    void asyncChatJobGivesTheSameText() throws Exception {
        ChatApi.Reference reference = ChatApi.Reference.named("text_only");
        String body = """
                {"kind": "chat", "request": {"model": "%s", "max_tokens": %d, "temperature": 0,
                 "messages": [{"role": "user", "content": %s}]}}"""
                .formatted(model, reference.maxNewTokens(), ChatApi.JSON.writeValueAsString(reference.userText()));
        HttpResponse<String> created = ChatApi.post(http, run.gatewayUrl(), run.apiKey(), "/v1/jobs", "application/json", body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = ChatApi.json(created.body()).get("id").asString();
        JsonNode done = awaitJob(id, "SUCCEEDED");
        assertThat(done.get("result").get("chat").get("text").asString()).isEqualTo(reference.text());
    }

    @Test
    void unknownModelIs404ThroughTheSdkAndAsAProblem() throws Exception {
        assertThatThrownBy(() -> sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("no-such-model").addUserMessage("hi").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
        HttpResponse<String> response = chat("""
                {"model": "no-such-model", "messages": [{"role": "user", "content": "hi"}]}""");
        assertProblem(response, 404, "unknown_model");
    }

    @Test
    void badContentPartsAre400() throws Exception {
        assertThatThrownBy(() -> sdk.chat().completions().create(ChatCompletionCreateParams.builder().model(model)
                .addUserMessageOfArrayOfContentParts(List.of(ChatApi.imagePart(" "))).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        assertProblem(chat("""
                {"model": "%s", "messages": [{"role": "user", "content": [{"type": "audio_url", "audio_url": "x"}]}]}"""
                .formatted(model)), 400, "invalid_content_part");
        assertProblem(chat("""
                {"model": "%s", "messages": [{"role": "user", "content": [{"type": "image_url",
                 "image_url": {"url": "data:image/png;base64,bm90IGFuIGltYWdl"}}]}]}""".formatted(model)),
                415, "unsupported_media_type"); // the bytes decide, not the claimed type
        assertProblem(chat("""
                {"model": "%s", "max_tokens": "5", "messages": [{"role": "user", "content": "hi"}]}""".formatted(model)),
                400, "invalid_request");
    }

    @Test
    void malformedJsonIs400() throws Exception {
        assertProblem(chat("{\"model\": \"" + model + "\", \"messages\": ["), 400, "malformed_json");
    }

    @Test
    void contextExceededIs400WithTheNumbers() throws Exception {
        Random random = new Random(7);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 60_000; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        assertThatThrownBy(() -> sdk.chat().completions().create(ChatCompletionCreateParams.builder().model(model)
                .addUserMessage(text.toString()).maxCompletionTokens(4).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.code()).hasValue("context_length_exceeded");
                    assertThat(e.getMessage()).containsPattern("needs \\d+ positions").containsPattern("at most \\d+");
                });
    }

    @Test
    void ocrReadsAGeneratedImageThroughTheSuite() throws Exception {
        BufferedImage image = new BufferedImage(360, 90, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 44));
        g.drawString("HELLO 42", 20, 62);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        String uri = "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
        HttpResponse<String> response = ChatApi.post(http, run.gatewayUrl(), run.apiKey(), "/v1/ocr", "application/json",
                "{\"image\": \"" + uri + "\"}");
        JsonNode result = syncOrJob(response, "ocr");
        assertThat(result.get("width").asInt()).isEqualTo(360);
        assertThat(result.get("text").asString().replace(" ", "")).containsIgnoringCase("HELLO42");
    }

    @Test
    void keyframesOfAGeneratedVideoThroughTheSuite(@TempDir Path dir) throws Exception {
        // The FFmpeg build the video service bundles.
        Path video = dir.resolve("pattern.mp4");
        Process ffmpeg = new ProcessBuilder(Loader.load(org.bytedeco.ffmpeg.ffmpeg.class), "-nostdin", "-hide_banner",
                "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=10:duration=3",
                "-pix_fmt", "yuv420p", video.toString()).redirectErrorStream(true).start();
        String log = new String(ffmpeg.getInputStream().readAllBytes());
        assertThat(ffmpeg.waitFor()).as(log).isZero();
        String uri = "data:video/mp4;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(video));
        HttpResponse<String> response = ChatApi.post(http, run.gatewayUrl(), run.apiKey(), "/v1/video/keyframes",
                "application/json", "{\"video\": \"" + uri + "\", \"question\": \"what moves?\", \"frames\": 4}");
        JsonNode result = syncOrJob(response, "keyframes");
        assertThat(result.toString()).contains("frames");
        JsonNode frames = result.get("frames");
        assertThat(frames.size()).isBetween(1, 4);
    }

    /**
     * Hostile videos through {@code POST /v1/video/keyframes} and the real video stage: each is answered
     * with a problem naming the reason (or the job fails with it), never a 5xx and never no answer. The
     * full corpus runs against the decoder (video-service {@code HostileVideoCorpusTests}); these are the
     * cases whose answer is certain, one per way of refusing.
     */
    @Test
    void hostileVideosThroughTheKeyframesEndpointAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        byte[] mp4 = ffmpeg(dir, "whole.mp4", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=10:duration=3", "-pix_fmt", "yuv420p");
        byte[] truncated = java.util.Arrays.copyOf(mp4, mp4.length / 2);
        byte[] huge = ffmpeg(dir, "huge.mkv", "-f", "lavfi", "-i", "color=c=blue:size=4096x4096:rate=1:duration=1", "-c:v", "ffv1");
        byte[] endless = ffmpeg(dir, "endless.mkv", "-f", "lavfi", "-i", "color=c=red:size=16x16:rate=1:duration=2",
                "-vf", "setpts=N*36000/TB", "-fps_mode", "passthrough", "-c:v", "ffv1");
        byte[] playlist = "#EXTM3U\n#EXTINF:2.0,\nhttp://169.254.169.254/latest/meta-data\n#EXT-X-ENDLIST\n".getBytes();
        record Case(String name, String type, byte[] bytes, int status, String code) {
        }
        for (Case hostile : List.of(
                new Case("truncated MP4 (no index)", "video/mp4", truncated, 422, "corrupt-media"),
                new Case("4096x4096 frames", "video/x-matroska", huge, 422, "video-limit-exceeded"),
                new Case("frames 10 h apart", "video/x-matroska", endless, 422, "video-limit-exceeded"),
                new Case("an HLS playlist", "video/mp4", playlist, 415, "unsupported-media-type"))) {
            String uri = "data:" + hostile.type() + ";base64," + Base64.getEncoder().encodeToString(hostile.bytes());
            HttpResponse<String> response = ChatApi.post(http, run.gatewayUrl(), run.apiKey(), "/v1/video/keyframes",
                    "application/json", "{\"video\": \"" + uri + "\", \"frames\": 4}");
            JsonNode answer = ChatApi.json(response.body());
            if (response.statusCode() == 202) {
                JsonNode failed = awaitJob(answer.get("id").asString(), "FAILED");
                assertThat(failed.get("error").get("type").asString()).as(hostile.name()).endsWith(":" + hostile.code());
                assertThat(failed.get("error").get("detail").asString()).as(hostile.name()).isNotBlank();
                continue;
            }
            assertThat(response.statusCode()).as(hostile.name() + ": " + response.body()).isEqualTo(hostile.status());
            assertThat(answer.get("code").asString()).as(hostile.name()).isEqualTo(hostile.code());
            assertThat(answer.get("detail").asString()).as(hostile.name()).isNotBlank();
        }
    }

    private static byte[] ffmpeg(Path dir, String name, String... input) throws Exception {
        Path out = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of(Loader.load(org.bytedeco.ffmpeg.ffmpeg.class), "-nostdin",
                "-hide_banner", "-loglevel", "error", "-y"));
        command.addAll(List.of(input));
        command.add(out.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(log).isZero();
        return Files.readAllBytes(out);
    }

    // --- helpers -------------------------------------------------------------------------------

    /** A streamed answer as the SDK assembles it from its chunks. */
    record Streamed(String text, String finishReason, CompletionUsage usage, String id) {
    }

    static Streamed stream(OpenAIClient client, ChatCompletionCreateParams params) {
        ChatCompletionCreateParams streaming = params.toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        StringBuilder text = new StringBuilder();
        String[] finish = {null};
        String[] id = {null};
        CompletionUsage[] usage = {null};
        try (StreamResponse<ChatCompletionChunk> response = client.chat().completions().createStreaming(streaming)) {
            response.stream().forEach(chunk -> {
                id[0] = chunk.id();
                chunk.usage().ifPresent(u -> usage[0] = u);
                for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                    choice.delta().content().ifPresent(text::append);
                    choice.finishReason().ifPresent(f -> finish[0] = f.asString());
                }
            });
        }
        return new Streamed(text.toString(), finish[0], usage[0], id[0]);
    }

    private static HttpResponse<String> chat(String body) throws Exception {
        return ChatApi.post(http, run.gatewayUrl(), run.apiKey(), "/v1/chat/completions", "application/json", body);
    }

    /** A problem response with the OpenAI {@code error} object inside. */
    static void assertProblem(HttpResponse<String> response, int status, String openAiCode) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = ChatApi.json(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).isNotBlank();
        JsonNode error = problem.get("error");
        assertThat(error).as(response.body()).isNotNull();
        assertThat(error.get("message").asString()).isEqualTo(problem.get("detail").asString());
        assertThat(error.get("type").asString()).isNotBlank();
        if (openAiCode != null) {
            assertThat(error.get("code").asString()).isEqualTo(openAiCode);
        }
    }

    static JsonNode awaitJob(String id, String status) {
        return ChatApi.awaitJob(http, run.gatewayUrl(), run.apiKey(), id, status);
    }

    /** The result of a sync endpoint: the 200 body, or the 202 job's result once it succeeded. */
    private static JsonNode syncOrJob(HttpResponse<String> response, String member) {
        assertThat(response.statusCode()).as(response.body()).isIn(200, 202);
        JsonNode body = ChatApi.json(response.body());
        if (response.statusCode() == 200) {
            return body;
        }
        return awaitJob(body.get("id").asString(), "SUCCEEDED").get("result").get(member);
    }
}
