package dev.ovis.serve.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.model.ModelInfo;
import dev.ovis.serve.gateway.GatewayIntegrationTest;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Limits a chat meets before any work is spent on it, on both ways in: {@code /v1/chat/completions}
 * and a raw chat task on {@code /v1/jobs} (which used to skip them: max_tokens up to 32768, no model
 * check, a missing role answered with a NullPointerException's message).
 */
class ChatLimitsIT extends GatewayIntegrationTest {

    private static final String MODEL = "limits-tiny";

    @Autowired
    EnvelopePublisher publisher;

    @BeforeEach
    void announceATinyModel() {
        ModelInfo tiny = new ModelInfo(MODEL, "ovis2-tiny-random", 64, List.of("text", "image", "video"), true, Instant.now());
        publisher.publish(Topics.MODELS, Envelope.withId(MODEL + ":" + tiny.announcedAt(), EventTypes.MODEL_ANNOUNCED,
                "test", MODEL, tiny));
        await().atMost(WAIT).until(() -> as(KEY_A).get().uri("/v1/models").exchange().expectBody(String.class)
                .returnResult().getResponseBody().contains(MODEL));
    }

    @Test
    void aPromptThatCannotFitTheContextIsRefusedAtOnceInOpenAisTerms() {
        chat(Map.of("model", MODEL, "messages", List.of(Map.of("role", "user", "content", "word ".repeat(1000)))))
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.error.code").isEqualTo("context_length_exceeded")
                .jsonPath("$.error.type").isEqualTo("invalid_request_error")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("maximum context length is 64"));
    }

    @Test
    void moreMediaPartsThanAllowedAreRefusedBeforeAnyIsFetched() {
        List<Map<String, Object>> parts = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            // never fetched: the count is checked first (this host does not even resolve)
            parts.add(Map.of("type", "image_url", "image_url", Map.of("url", "https://images.invalid/" + i + ".png")));
        }
        chat(Map.of("model", MODEL, "messages", List.of(Map.of("role", "user", "content", parts))))
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("17 image parts", "16"));
        List<Map<String, Object>> videos = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            videos.add(Map.of("type", "video_url", "video_url", Map.of("url", "https://videos.invalid/" + i + ".mp4")));
        }
        chat(Map.of("model", MODEL, "messages", List.of(Map.of("role", "user", "content", videos))))
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("3 video parts"));
    }

    @Test
    void aRawChatTaskOnJobsMeetsTheSameRules() {
        Map<String, Object> sampling = Map.of("maxTokens", 32768, "temperature", 0, "topP", 1, "topK", 0,
                "repetitionPenalty", 1, "stop", List.of(), "logprobs", false, "reasoning", false);
        Map<String, Object> user = Map.of("role", "USER", "parts", List.of(Map.of("type", "TEXT", "text", "hi")));
        job(Map.of("model", MODEL, "messages", List.of(user), "sampling", sampling))
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("maxTokens", "8192"));
        job(Map.of("model", "nobody-serves-this", "messages", List.of(user)))
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.code").isEqualTo("unknown-model");
        job(Map.of("model", MODEL, "messages", List.of(Map.of("parts", List.of(Map.of("type", "TEXT", "text", "hi"))))))
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail)
                        .contains("'payload.messages[0].role'").doesNotContain("NullPointer"));
        job(Map.of("model", MODEL, "messages", List.of(user, Map.of("role", "ASSISTANT",
                "parts", List.of(Map.of("type", "TEXT", "text", "ok"))))))
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("last message"));
        job(Map.of("model", MODEL, "messages", List.of(Map.of("role", "USER",
                "parts", List.of(Map.of("type", "TEXT", "text", "word ".repeat(1000)))))))
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("context-length-exceeded");
        job(Map.of("model", MODEL, "messages", List.of(user)))
                .expectStatus().isCreated();
    }

    private WebTestClient.ResponseSpec chat(Map<String, Object> body) {
        return as(KEY_A).post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private WebTestClient.ResponseSpec job(Map<String, Object> payload) {
        return as(KEY_A).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("kind", "CHAT", "payload", payload)).exchange();
    }
}
