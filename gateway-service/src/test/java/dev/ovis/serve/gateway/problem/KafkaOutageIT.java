package dev.ovis.serve.gateway.problem;

import static org.awaitility.Awaitility.await;

import dev.ovis.serve.gateway.TestMedia;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Kafka unreachable (the gateway reaches the shared broker only through a {@link TcpCut}, cut from the
 * start): new jobs get 503 with Retry-After instead of being accepted into an outbox nobody can
 * deliver; uploads, which need no broker, still work; once the broker answers, jobs are accepted again.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "ovis.gateway.instance-id=gateway-kafka-outage-it",
        "ovis.gateway.auth.keys.key-kafka-outage=tenant-kafka-outage",
        "ovis.gateway.limits.enabled=false",
        // the topics exist already (other tests created them); creating them would wait for the broker
        "ovis.kafka.create-topics=false"})
class KafkaOutageIT {

    private static TcpCut broker;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry);
        String bootstrap = SharedInfrastructure.get().kafkaBootstrapServers();
        broker = new TcpCut(Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1)));
        broker.cut();
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + broker.port());
    }

    @AfterAll
    static void closeCut() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void withKafkaUnreachableNewJobsAre503AndAcceptedAgainOnceItAnswers() {
        WebTestClient client = WebTestClient.bindToServer(new ReactorClientHttpConnector(HttpClient.create(ConnectionProvider.newConnection())))
                .baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(60))
                .defaultHeader("Authorization", "Bearer key-kafka-outage").build();
        Map<String, Object> media = client.post().uri("/v1/media").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(TestMedia.png(2400)).exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        Map<String, Object> job = Map.of("kind", "OCR", "payload", Map.of("media", media.get("id")));

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                client.post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON).bodyValue(job).exchange()
                        .expectStatus().isEqualTo(503).expectHeader().exists("Retry-After")
                        .expectBody().jsonPath("$.detail").value(detail -> org.assertj.core.api.Assertions
                                .assertThat((String) detail).contains("Kafka")));

        broker.restore();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                client.post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON).bodyValue(job).exchange()
                        .expectStatus().isCreated());
    }
}
