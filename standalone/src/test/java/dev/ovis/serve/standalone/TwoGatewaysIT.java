package dev.ovis.serve.standalone;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

import com.openai.client.OpenAIClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A second gateway instance (B, {@code ovis.gateway.instance-id=gateway-b}) next to the suite's
 * (A) on the same infrastructure: streamed tokens reach the instance that holds the connection
 * while the other one streams too; a client that goes away mid-stream gets its job cancelled. B is
 * configured with a small rate limit burst and media limit, for the 429 and 413 answers.
 */
@ExtendWith({RunningSuite.class, TwoGatewaysIT.GatewayB.class})
class TwoGatewaysIT {

    private static final String LIMITED_KEY = "limited-tenant-key";
    private static final int BURST = 5;

    private static StandaloneRun run;
    private static SecondGateway gatewayB;
    private static HttpClient http;
    private static OpenAIClient sdkA;
    private static OpenAIClient sdkB;
    private static String model;

    /**
     * Gateway B lives in JUnit's root store, closed when the whole run ends (before the suite):
     * closing a reactive context disposes Reactor Netty's global event loops, which every context
     * of this JVM shares, so closing B right after this class would stop A's server too.
     */
    static final class GatewayB implements ParameterResolver {

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == SecondGateway.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL);
            StandaloneRun suite = store.get(StandaloneRun.class, StandaloneRun.class);
            return store.computeIfAbsent(SecondGateway.class, key -> SecondGateway.start(suite, "gateway-b", Map.of(
                    "ovis.gateway.auth.keys[" + suite.apiKey() + "]", "default",
                    "ovis.gateway.auth.keys[" + LIMITED_KEY + "]", "limited",
                    "ovis.gateway.limits.burst", String.valueOf(BURST),
                    "ovis.gateway.limits.requests-per-minute", "1",
                    "ovis.gateway.media.max-bytes", "64KB",
                    // no help from re-reading job rows: a chat must learn its outcome from its stream alone
                    "ovis.gateway.jobs.events-poll-interval", "10m")), SecondGateway.class);
        }
    }

    @BeforeAll
    static void start(StandaloneRun suite, SecondGateway b) {
        run = suite;
        gatewayB = b;
        http = HttpClient.newHttpClient();
        sdkA = ChatApi.sdk(run.gatewayUrl(), run.apiKey());
        sdkB = ChatApi.sdk(gatewayB.url(), run.apiKey());
        model = ChatEndToEndIT.awaitModel(sdkB);
    }

    @AfterAll
    static void stop() {
        sdkA.close();
        sdkB.close();
        http.close();
    }

    @Test
    void streamThroughBGetsAllItsTokensOnBWhileAStreams() throws Exception {
        ChatCompletionCreateParams onA = ChatCompletionCreateParams.builder().model(model)
                .addUserMessage("Tell a long story.").maxCompletionTokens(200).temperature(0.0).build();
        ChatCompletionCreateParams onB = ChatCompletionCreateParams.builder().model(model)
                .addUserMessage("What is in this picture? Describe the sun.").maxCompletionTokens(64).temperature(0.0).build();
        ChatCompletion expected = sdkA.chat().completions().create(onB);

        CompletableFuture<ChatEndToEndIT.Streamed> a = CompletableFuture.supplyAsync(() -> ChatEndToEndIT.stream(sdkA, onA));
        ChatEndToEndIT.Streamed b = ChatEndToEndIT.stream(sdkB, onB);
        ChatEndToEndIT.Streamed aDone = a.get(3, TimeUnit.MINUTES);

        assertThat(b.text()).isEqualTo(expected.choices().getFirst().message().content().orElseThrow());
        assertThat(b.usage().completionTokens()).isEqualTo(expected.usage().orElseThrow().completionTokens());
        assertThat(aDone.usage().completionTokens()).isPositive();
        assertThat(aDone.text()).isNotEmpty();
    }

    @Test
    void clientThatDisconnectsMidStreamGetsItsJobCancelled() throws Exception {
        URI gateway = URI.create(gatewayB.url());
        String body = """
                {"model": "%s", "stream": true, "max_tokens": 8192, "temperature": 0,
                 "messages": [{"role": "user", "content": "Count to a million."}]}""".formatted(model);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String jobId;
        try (Socket socket = new Socket(gateway.getHost(), gateway.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + run.apiKey()
                    + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: " + bytes.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            assertThat(status).contains(" 200 ");
            String line;
            do {
                line = in.readLine();
                assertThat(line).as("the stream ended before its first event").isNotNull();
            } while (!line.contains("data: {"));
            JsonNode first = ChatApi.json(line.substring(line.indexOf("data: ") + "data: ".length()));
            jobId = first.get("id").asString().substring("chatcmpl-".length());
        } // the client goes away after its first event
        JsonNode job = ChatApi.awaitJob(http, run.gatewayUrl(), run.apiKey(), jobId, "CANCELLED");
        assertThat(job.get("error").get("code").asString()).isEqualTo("cancelled");
    }

    @Test
    void beyondTheBurstATenantGets429WithRetryAfter() throws Exception {
        OpenAIClient limited = ChatApi.sdk(gatewayB.url(), LIMITED_KEY);
        try {
            String body = "{\"model\": \"" + model + "\", \"max_tokens\": 1, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
            for (int i = 0; i < BURST; i++) {
                HttpResponse<String> ok = ChatApi.post(http, gatewayB.url(), LIMITED_KEY, "/v1/chat/completions",
                        "application/json", body);
                assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            }
            HttpResponse<String> limitedResponse = ChatApi.post(http, gatewayB.url(), LIMITED_KEY, "/v1/chat/completions",
                    "application/json", body);
            ChatEndToEndIT.assertProblem(limitedResponse, 429, "rate_limited");
            assertThat(limitedResponse.headers().firstValue("Retry-After")).hasValueSatisfying(
                    v -> assertThat(Integer.parseInt(v)).isPositive());
            assertThatThrownBy(() -> limited.chat().completions().create(ChatCompletionCreateParams.builder().model(model)
                    .addUserMessage("hi").maxCompletionTokens(1).build()))
                    .isInstanceOfSatisfying(RateLimitException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(429);
                        assertThat(e.headers().values("Retry-After")).isNotEmpty();
                    });
        } finally {
            limited.close();
        }
    }

    @Test
    void imageOverTheMediaLimitIs413() throws Exception {
        byte[] big = new byte[100 * 1024];
        big[0] = (byte) 0x89;
        String uri = "data:image/png;base64," + Base64.getEncoder().encodeToString(big);
        HttpResponse<String> response = ChatApi.post(http, gatewayB.url(), run.apiKey(), "/v1/chat/completions",
                "application/json", """
                {"model": "%s", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "%s"}},
                 {"type": "text", "text": "What is it?"}]}]}""".formatted(model, uri));
        ChatEndToEndIT.assertProblem(response, 413, "media_too_large");
    }

    /**
     * A chat waiting on B whose job fails in a stage is answered at once, whichever instance applies
     * the FAILED event: the job events are shared by A and B, and B never re-reads the row here, so
     * the failure must come to B on its own stream topic (from A through Kafka, or from B itself).
     */
    @Test
    void aChatWaitingOnBIsToldOfAFailureInAStageWhicheverGatewayAppliesIt() throws Exception {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB), "png", png);
        byte[] truncated = Arrays.copyOf(png.toByteArray(), 40); // signature and header, no pixels
        String uri = "data:image/png;base64," + Base64.getEncoder().encodeToString(truncated);
        for (int i = 0; i < 6; i++) {
            boolean stream = i % 2 == 1;
            HttpResponse<String> response = ChatApi.post(http, gatewayB.url(), run.apiKey(), "/v1/chat/completions",
                    "application/json", """
                    {"model": "%s", "stream": %s, "messages": [{"role": "user", "content": [
                     {"type": "image_url", "image_url": {"url": "%s"}}, {"type": "text", "text": "What is it? %d"}]}]}"""
                            .formatted(model, stream, uri, i));
            ChatEndToEndIT.assertProblem(response, 422, null);
            assertThat(ChatApi.json(response.body()).get("code").asString()).isEqualTo("corrupt-media");
        }
    }
}
