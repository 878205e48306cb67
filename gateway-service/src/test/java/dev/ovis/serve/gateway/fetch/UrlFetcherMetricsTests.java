package dev.ovis.serve.gateway.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.gateway.problem.ApiException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** The media download latency histogram, against a real HTTP server on 127.0.0.1. */
class UrlFetcherMetricsTests {

    private static DisposableServer server;
    private static String base;

    @BeforeAll
    static void startServer() {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes
                        .get("/ok", (req, res) -> res.header("Content-Type", "image/png").sendByteArray(Mono.just(new byte[2048])))
                        .get("/missing", (req, res) -> res.status(404).send()))
                .bindNow();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stopServer() {
        server.disposeNow();
    }

    @Test
    void everyFetchIsTimedWithItsOutcome() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        UrlFetcher fetcher = new UrlFetcher(new FetchProperties(Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofSeconds(5), null, 3, true, List.of("127.0.0.1/32"), "test"), meters);

        fetcher.fetch(base + "/ok", 1_000_000).doOnNext(DataBufferUtils::release).blockLast(Duration.ofSeconds(10));
        fetcher.fetch(base + "/ok", 1_000_000).doOnNext(DataBufferUtils::release).blockLast(Duration.ofSeconds(10));
        assertThatThrownBy(() -> fetcher.fetch(base + "/missing", 1_000_000).blockLast(Duration.ofSeconds(10)))
                .isInstanceOf(ApiException.class);

        assertThat(meters.get(UrlFetcher.DOWNLOAD_TIME).tag("outcome", "ok").timer().count()).isEqualTo(2);
        assertThat(meters.get(UrlFetcher.DOWNLOAD_TIME).tag("outcome", "error").timer().count()).isEqualTo(1);
        assertThat(meters.get(UrlFetcher.DOWNLOAD_TIME).tag("outcome", "ok").timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
                .isPositive();
    }
}
