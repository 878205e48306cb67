package dev.ovis.serve.gateway.job;

import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.gateway.GatewayIntegrationTest;
import dev.ovis.serve.gateway.TestMedia;
import dev.ovis.serve.testing.TopicRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Prints figures for docs/benchmarks.md (no assertions on time): job creation latency and
 * throughput through HTTP + Postgres + outbox until every request is on Kafka, and raw upload
 * throughput. Not part of the normal test run; run it with
 * {@code ./mvnw -B -q -pl gateway-service -am verify -Dit.test=JobSubmissionBenchmark -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}.
 */
class JobSubmissionBenchmark extends GatewayIntegrationTest {

    private static final int SEQUENTIAL = 200;
    private static final int CONCURRENT = 400;
    private static final int CLIENTS = 16;

    @Value("${local.server.port}")
    int port;

    @Test
    void figures() throws Exception {
        WebClient client = WebClient.builder().baseUrl("http://127.0.0.1:" + port)
                .defaultHeader("Authorization", "Bearer " + KEY_A).build();
        String media = JobApi.upload(as(KEY_A), TestMedia.png(2_000));
        Map<String, Object> body = Map.of("kind", "OCR", "payload", Map.of("media", media));
        try (TopicRecorder requests = new TopicRecorder(Topics.OCR_REQUESTS)) {
            run(client, body, 30, 1); // warm-up
            // sequential: latency of one POST /v1/jobs
            List<Long> micros = new ArrayList<>();
            long start = System.nanoTime();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < SEQUENTIAL; i++) {
                long t0 = System.nanoTime();
                ids.add(create(client, body).block());
                micros.add((System.nanoTime() - t0) / 1000);
            }
            awaitPublished(requests, ids);
            double sequentialSeconds = (System.nanoTime() - start) / 1e9;
            Collections.sort(micros);
            System.out.printf("BENCH sequential: %d jobs, p50 %.1f ms, p95 %.1f ms, all on Kafka after %.2f s (%.0f jobs/s)%n",
                    SEQUENTIAL, micros.get(SEQUENTIAL / 2) / 1000.0, micros.get(SEQUENTIAL * 95 / 100) / 1000.0,
                    sequentialSeconds, SEQUENTIAL / sequentialSeconds);

            // concurrent clients: throughput until every request is on Kafka
            start = System.nanoTime();
            List<String> concurrentIds = run(client, body, CONCURRENT, CLIENTS);
            double acceptedSeconds = (System.nanoTime() - start) / 1e9;
            awaitPublished(requests, concurrentIds);
            double publishedSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("BENCH concurrent: %d jobs from %d clients accepted in %.2f s (%.0f jobs/s), all on Kafka after %.2f s%n",
                    CONCURRENT, CLIENTS, acceptedSeconds, CONCURRENT / acceptedSeconds, publishedSeconds);
        }

        // raw upload throughput (streamed to disk, hashed, put in S3)
        byte[] big = TestMedia.png(900 * 1024);
        long uploadStart = System.nanoTime();
        int uploads = 20;
        for (int i = 0; i < uploads; i++) {
            big[100] = (byte) i; // new content each time
            client.post().uri("/v1/media").contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(big.clone())
                    .retrieve().toBodilessEntity().block();
        }
        double seconds = (System.nanoTime() - uploadStart) / 1e9;
        System.out.printf("BENCH upload: %d × %.1f MB in %.2f s = %.1f MB/s%n", uploads, big.length / 1e6, seconds,
                uploads * big.length / 1e6 / seconds);
    }

    private static List<String> run(WebClient client, Map<String, Object> body, int jobs, int clients) {
        return Flux.range(0, jobs).flatMap(i -> create(client, body), clients).collectList().block(Duration.ofMinutes(5));
    }

    private static Mono<String> create(WebClient client, Map<String, Object> body) {
        return client.post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .retrieve().bodyToMono(JobView.class).map(JobView::id);
    }

    private static void awaitPublished(TopicRecorder requests, List<String> ids) {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> ids.stream().allMatch(id -> !requests.envelopes(Topics.OCR_REQUESTS, id).isEmpty()));
    }
}
