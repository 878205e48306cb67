package dev.ovis.serve.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;

/**
 * Health is open (probes carry no key); the rest of the actuator needs an admin key and hides
 * from everyone else; every answer names its trace.
 */
class GatewayApplicationIT extends GatewayIntegrationTest {

    @Test
    void healthNeedsNoKeyButMetricsNeedAnAdminKey() {
        web.get().uri("/actuator/health").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
        web.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        for (String path : List.of("/actuator", "/actuator/metrics", "/actuator/prometheus", "/actuator/traces")) {
            web.get().uri(path).exchange().expectStatus().isNotFound();
            as(KEY_A).get().uri(path).exchange().expectStatus().isNotFound();
        }
        as(KEY_ADMIN).get().uri("/v1/jobs").exchange().expectStatus().isUnauthorized();
        as(KEY_ADMIN).get().uri("/actuator/metrics/ovis.gateway.outbox.lag").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.baseUnit").isEqualTo("seconds");
        String scrape = as(KEY_ADMIN).get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(scrape).contains("ovis_gateway_outbox_pending");
    }

    @Test
    void theIndexAndThePlaygroundNeedNoKeyAndLoadNothingFromElsewhere() {
        web.get().uri("/").exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith("text/html")
                .expectBody(String.class).value(body -> assertThat(body).contains("href=\"/playground\""));
        String page = web.get().uri("/playground").exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith("text/html")
                .expectHeader().valueMatches("Content-Security-Policy", "default-src 'self';.*")
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(page).contains("id=\"api-key\"", "/playground/playground.js").doesNotContain("http://", "https://");
        web.get().uri("/playground/playground.js").exchange().expectStatus().isOk()
                .expectBody(String.class).value(js -> assertThat(js).contains("/v1/chat/completions").doesNotContain("https://"));
        web.get().uri("/playground/playground.css").exchange().expectStatus().isOk();
    }

    @Test
    void everyAnswerCarriesItsTraceIdWhoseSpansTheAdminCanRead() {
        String traceId = as(KEY_A).get().uri("/v1/models").exchange().expectStatus().isOk()
                .returnResult(String.class).getResponseHeaders().getFirst("X-Trace-Id");
        assertThat(traceId).matches("[0-9a-f]{32}");
        web.get().uri("/v1/models").exchange().expectStatus().isUnauthorized()
                .expectHeader().valueMatches("X-Trace-Id", "[0-9a-f]{32}");
        // the server span ends once the answer is written: wait for it
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Map<String, Object>> spans = as(KEY_ADMIN).get().uri("/actuator/traces/" + traceId).exchange()
                    .expectStatus().isOk().expectBody(new ParameterizedTypeReference<List<Map<String, Object>>>() {
                    }).returnResult().getResponseBody();
            assertThat(spans).anySatisfy(span -> {
                assertThat(span).containsEntry("service", "gateway-service").containsEntry("kind", "SERVER");
                assertThat(span.get("traceId")).isEqualTo(traceId);
            });
        });
    }
}
