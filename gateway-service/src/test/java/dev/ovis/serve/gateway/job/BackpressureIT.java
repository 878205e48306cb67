package dev.ovis.serve.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.gateway.GatewayIntegrationTest;
import dev.ovis.serve.gateway.TestMedia;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/** A tenant at its limit of jobs in flight is answered 429 with Retry-After, before anything is stored. */
class BackpressureIT extends GatewayIntegrationTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void aTenantWithAsManyJobsInFlightAsItMayHaveGets429WithRetryAfterAndOthersAreNotAffected() {
        String media = JobApi.upload(as(KEY_CAPPED), TestMedia.png(300));
        for (int i = 0; i < 2; i++) {
            submit(as(KEY_CAPPED), media).expectStatus().isCreated();
        }

        submit(as(KEY_CAPPED), media)
                .expectStatus().isEqualTo(429)
                .expectHeader().valueEquals("Retry-After", "5")
                .expectBody()
                .jsonPath("$.code").isEqualTo("rate-limited")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("2 OCR jobs queued or running"));
        // the refused job was not stored, nor its stage request
        assertThat(jdbc.sql("select count(*) from jobs where tenant = 'tenant-capped'").query(Long.class).single()).isEqualTo(2);
        assertThat(jdbc.sql("select count(*) from outbox o join jobs j on j.id = o.message_key where j.tenant = 'tenant-capped'")
                .query(Long.class).single()).isEqualTo(2);

        String other = JobApi.upload(as(KEY_B), TestMedia.png(300));
        submit(as(KEY_B), other).expectStatus().isCreated();
    }

    private static WebTestClient.ResponseSpec submit(WebTestClient client, String media) {
        return client.post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("kind", "OCR", "payload", Map.of("media", media))).exchange();
    }
}
