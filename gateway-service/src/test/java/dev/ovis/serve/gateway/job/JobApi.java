package dev.ovis.serve.gateway.job;

import java.util.Map;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Small request helpers shared by the job integration tests. */
final class JobApi {

    private JobApi() {
    }

    /** Uploads {@code bytes} as a raw body; returns the media id. */
    static String upload(WebTestClient client, byte[] bytes) {
        Map<String, Object> media = client.post().uri("/v1/media").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(bytes).exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        return (String) media.get("id");
    }
}
