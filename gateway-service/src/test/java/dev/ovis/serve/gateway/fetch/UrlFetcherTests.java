package dev.ovis.serve.gateway.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** The fetcher against a real HTTP server on 127.0.0.1 (allowed only through the allow-list). */
class UrlFetcherTests {

    private static final byte[] PAYLOAD = "0123456789".repeat(1000).getBytes();
    private static DisposableServer server;
    private static String base;

    @BeforeAll
    static void startServer() {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes
                        .get("/ok", (req, res) -> res.header("Content-Type", "image/png").sendByteArray(Mono.just(PAYLOAD)))
                        .get("/redirect", (req, res) -> res.status(302).header("Location", "/ok").send())
                        .get("/loop", (req, res) -> res.status(302).header("Location", "/loop").send())
                        .get("/to-metadata", (req, res) -> res.status(302).header("Location", "http://169.254.169.254/latest/meta-data/").send())
                        .get("/to-ftp", (req, res) -> res.status(301).header("Location", "ftp://example.org/x").send())
                        .get("/missing", (req, res) -> res.status(404).send())
                        .get("/slow", (req, res) -> res.sendString(Mono.never()))
                        // one byte every 100 ms, for ever: never silent for as long as the read timeout
                        .get("/trickle", (req, res) -> res.header("Content-Type", "image/png")
                                .sendString(Flux.interval(Duration.ofMillis(100)).map(tick -> "x"))))
                .bindNow();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stopServer() {
        server.disposeNow();
    }

    private static UrlFetcher fetcher(boolean allowLoopback) {
        return new UrlFetcher(new FetchProperties(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(5),
                null, 3, true, allowLoopback ? List.of("127.0.0.1/32") : List.of(), "test"));
    }

    private static byte[] read(Flux<DataBuffer> body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.doOnNext(b -> {
            byte[] chunk = new byte[b.readableByteCount()];
            b.read(chunk);
            out.writeBytes(chunk);
            DataBufferUtils.release(b);
        }).blockLast(Duration.ofSeconds(10));
        return out.toByteArray();
    }

    private static ErrorCode failure(Flux<DataBuffer> body) {
        try {
            read(body);
        } catch (ApiException e) {
            return e.code();
        }
        throw new AssertionError("the fetch did not fail");
    }

    @Test
    void fetchesFromAnAllowedNetwork() {
        assertThat(read(fetcher(true).fetch(base + "/ok", 1_000_000))).isEqualTo(PAYLOAD);
    }

    @Test
    void refusesLoopbackByDefault() {
        assertThat(failure(fetcher(false).fetch(base + "/ok", 1_000_000))).isEqualTo(ErrorCode.URL_FORBIDDEN);
    }

    @Test
    void refusesMetadataAddressLiteral() {
        assertThat(failure(fetcher(true).fetch("http://169.254.169.254/latest/meta-data/", 1000)))
                .isEqualTo(ErrorCode.URL_FORBIDDEN);
    }

    @Test
    void followsRedirectsAndRechecksEachHop() {
        assertThat(read(fetcher(true).fetch(base + "/redirect", 1_000_000))).isEqualTo(PAYLOAD);
        assertThat(failure(fetcher(true).fetch(base + "/to-metadata", 1000))).isEqualTo(ErrorCode.URL_FORBIDDEN);
        assertThat(failure(fetcher(true).fetch(base + "/to-ftp", 1000))).isEqualTo(ErrorCode.URL_FORBIDDEN);
        assertThat(failure(fetcher(true).fetch(base + "/loop", 1000))).isEqualTo(ErrorCode.URL_FETCH_FAILED);
    }

    @Test
    void refusesPlainHttpUnlessConfiguredAndOtherSchemes() {
        UrlFetcher httpsOnly = new UrlFetcher(new FetchProperties(Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofSeconds(5), null, 3, false, List.of("127.0.0.1/32"), "test"));

        assertThat(failure(httpsOnly.fetch(base + "/ok", 1000))).isEqualTo(ErrorCode.URL_FORBIDDEN);
        assertThat(failure(httpsOnly.fetch("file:///etc/passwd", 1000))).isEqualTo(ErrorCode.URL_FORBIDDEN);
    }

    @Test
    void aBodyThatTricklesForEverIsCutAtTheTotalDeadline() {
        UrlFetcher deadline = new UrlFetcher(new FetchProperties(Duration.ofSeconds(2), Duration.ofMillis(500),
                Duration.ofMillis(1500), null, 3, true, List.of("127.0.0.1/32"), "test"));
        long start = System.nanoTime();
        try {
            read(deadline.fetch(base + "/trickle", 1_000_000));
            throw new AssertionError("the fetch did not fail");
        } catch (ApiException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.URL_FETCH_FAILED);
            assertThat(e.getMessage()).contains("did not finish within");
        } finally {
            deadline.close();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void namesAreResolvedByTheAsynchronousResolverAndVetted() {
        String byName = base.replace("127.0.0.1", "localhost");
        assertThat(failure(fetcher(false).fetch(byName + "/ok", 1_000_000))).isEqualTo(ErrorCode.URL_FORBIDDEN);
        UrlFetcher loopback = new UrlFetcher(new FetchProperties(Duration.ofSeconds(2), Duration.ofMillis(500),
                Duration.ofSeconds(5), null, 3, true, List.of("127.0.0.1/32", "::1/128"), "test"));
        try {
            assertThat(read(loopback.fetch(byName + "/ok", 1_000_000))).isEqualTo(PAYLOAD);
        } finally {
            loopback.close();
        }
    }

    @Test
    void capsTheSizeAndReportsHttpErrorsAndTimeouts() {
        assertThat(failure(fetcher(true).fetch(base + "/ok", 100))).isEqualTo(ErrorCode.MEDIA_TOO_LARGE);
        assertThat(failure(fetcher(true).fetch(base + "/missing", 1000))).isEqualTo(ErrorCode.URL_FETCH_FAILED);
        assertThat(failure(fetcher(true).fetch(base + "/slow", 1000))).isEqualTo(ErrorCode.URL_FETCH_FAILED);
    }
}
