package dev.ovis.serve.gateway;

import org.junit.jupiter.api.Test;

/** Health is open (probes carry no key); everything else, metrics included, needs one. */
class GatewayApplicationIT extends GatewayIntegrationTest {

    @Test
    void healthNeedsNoKeyButMetricsDo() {
        web.get().uri("/actuator/health").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
        web.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        web.get().uri("/actuator/metrics").exchange().expectStatus().isUnauthorized();
        as(KEY_A).get().uri("/actuator/metrics/ovis.gateway.outbox.lag").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.baseUnit").isEqualTo("seconds");
        as(KEY_A).get().uri("/actuator/metrics/ovis.gateway.outbox.pending").exchange().expectStatus().isOk();
    }
}
