package dev.ovis.serve.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.gateway.GatewayIntegrationTest;
import dev.ovis.serve.gateway.TestMedia;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import dev.ovis.serve.support.storage.ObjectStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;

/** Uploads on real S3 and Postgres: limits, type sniffing, dedupe, tenant isolation (max-bytes is 1 MB here). */
class MediaIT extends GatewayIntegrationTest {

    private static final int LIMIT = 1024 * 1024;

    @LocalServerPort
    int port;
    @Autowired
    ObjectStore store;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    MediaService media;

    @Test
    void anUploadOverTheLimitIsRefusedWith413WhetherOrNotItsLengthIsDeclared() {
        // declared length: refused before reading
        as(KEY_A).post().uri("/v1/media").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(TestMedia.png(LIMIT + 1)).exchange()
                .expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:ovis-serve:problem:media-too-large")
                .jsonPath("$.status").isEqualTo(413)
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains(Integer.toString(LIMIT)));

        // chunked, no length: refused while streaming, as soon as it passes the limit
        byte[] big = TestMedia.png(LIMIT + 64 * 1024);
        Flux<DataBuffer> chunks = Flux.range(0, big.length / 16384 + 1)
                .map(i -> DefaultDataBufferFactory.sharedInstance.wrap(java.nio.ByteBuffer.wrap(big, i * 16384, Math.min(16384, big.length - i * 16384))));
        as(KEY_A).post().uri("/v1/media").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(chunks, DataBuffer.class).exchange()
                .expectStatus().isEqualTo(413)
                .expectBody().jsonPath("$.code").isEqualTo("media-too-large");
    }

    /**
     * A client that sends its whole body whatever the answer (as most do) reads the whole 413 and a
     * clean end of the connection: the gateway reads the rest of the body before it answers and
     * closes. Closing with the body unread would make the kernel answer the client's next bytes with a
     * reset, which fails the client's writes and throws the answer away on its side (UnreadBody).
     */
    @Test
    void aClientSendingItsWholeBodyAfterAnEarly413ReadsTheWholeAnswer() throws Exception {
        byte[] big = TestMedia.png(4 * LIMIT);
        for (int round = 0; round < 3; round++) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(20_000);
                CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        // Connection: close, so the answer ends with the connection; no half-close after
                        // the body (Netty closes a half-closed connection before it can answer)
                        out.write(("POST /v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY_A
                                + "\r\nConnection: close\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                                + big.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(big);
                        out.flush();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer).as("the whole answer, then a clean end").startsWith("HTTP/1.1 413").contains("media-too-large");
                sent.get(20, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A body that trickles (one byte a second) is cut with 408 once the grace has passed, instead of
     * holding the handler, its buffers and an upload's temp file for as long as the client likes —
     * and the connection with it, although the client asked for none of that to be closed: kept
     * alive, it would wait for the rest of the body for as long as bytes kept coming.
     */
    @Test
    void aBodyThatTricklesIsCutWith408() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY_A
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread trickle = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 40 && !Thread.currentThread().isInterrupted(); i++) {
                        out.write(0x89);
                        out.flush();
                        Thread.sleep(1000);
                    }
                } catch (IOException | InterruptedException e) {
                    // the gateway answered and closed, or the test ended
                }
            });
            long start = System.nanoTime();
            String answer = readUntilClosed(socket);
            long seconds = (System.nanoTime() - start) / 1_000_000_000;
            trickle.interrupt();
            assertThat(answer).startsWith("HTTP/1.1 408").contains("request-timeout").contains("bytes/s");
            assertThat(seconds).as("cut after the 10 s grace, not at the end of the 40 s trickle").isLessThan(38);
        }
    }

    /**
     * What the server sent until it closed the connection. If the gateway closes while bytes of the
     * trickle are still unread on its side, its kernel resets the connection after the answer (seen
     * once in a full run, not reproduced on purpose): the answer is still read (a reset does not
     * discard what had arrived before it), and the reset ends the reading like the close.
     */
    private static String readUntilClosed(Socket socket) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                answer.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            if (answer.size() == 0) {
                throw reset;
            }
        }
        return answer.toString(StandardCharsets.UTF_8);
    }

    /**
     * A body refused from its declared length and never sent: the answer comes once the gateway has
     * waited for the unread rest (`unread-body.timeout`), and the connection closes with it — kept
     * alive, the gateway would go on waiting for a body nobody wants, until the idle timeout.
     */
    @Test
    void aRefusedBodyThatNeverComesClosesTheConnectionAfterTheAnswer() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(40_000);
            socket.getOutputStream().write(("POST /v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY_A
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + (4 * LIMIT)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            long seconds = (System.nanoTime() - start) / 1_000_000_000;
            assertThat(answer).startsWith("HTTP/1.1 413").contains("media-too-large");
            assertThat(seconds).as("closed with the answer, not at the 60 s idle timeout").isLessThan(35);
        }
    }

    /** {@code Expect: 100-continue}: the body is refused from its declared length and never asked for. */
    @Test
    void aClientExpecting100ContinueGetsThe413Instead() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("POST /v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY_A
                    + "\r\nContent-Type: application/octet-stream\r\nExpect: 100-continue\r\nContent-Length: " + (4 * LIMIT)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 413").doesNotContain("100 Continue").contains("media-too-large");
        }
    }

    @Test
    void bytesThatAreNotSupportedMediaAreRefusedWith415WhateverTheClaimedType() {
        MultipartBodyBuilder multipart = new MultipartBodyBuilder();
        multipart.part("file", TestMedia.text("%PDF-1.7 not an image at all")).filename("cat.png").contentType(MediaType.IMAGE_PNG);
        as(KEY_A).post().uri("/v1/media").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(multipart.build())).exchange()
                .expectStatus().isEqualTo(415)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:ovis-serve:problem:unsupported-media-type")
                .jsonPath("$.code").isEqualTo("unsupported-media-type")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("PNG"));
    }

    @Test
    void aMultipartUploadWithoutAFilePartIsABadRequest() {
        MultipartBodyBuilder multipart = new MultipartBodyBuilder();
        multipart.part("picture", TestMedia.png(100)).filename("a.png");
        as(KEY_A).post().uri("/v1/media").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(multipart.build())).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("'file'"));
    }

    @Test
    void theSameContentUploadedTwiceIsOneMediaAndAVideoIsSniffed() {
        byte[] video = TestMedia.mp4(4096);
        Map<String, Object> first = upload(video);
        Map<String, Object> second = upload(video);
        assertThat(second.get("id")).isEqualTo(first.get("id"));
        assertThat(first).containsEntry("contentType", "video/mp4").containsEntry("size", 4096);
        as(KEY_A).get().uri("/v1/media/{id}", first.get("id")).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.sha256").isEqualTo(first.get("sha256"));
    }

    @Test
    void deletedMediaIsGoneWithItsObjectAndOnlyItsTenantCanDeleteIt() {
        Map<String, Object> media = upload(TestMedia.png(3000));
        String id = (String) media.get("id");
        as(KEY_B).delete().uri("/v1/media/{id}", id).exchange().expectStatus().isNotFound();
        as(KEY_A).delete().uri("/v1/media/{id}", id).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.id").isEqualTo(id).jsonPath("$.deleted").isEqualTo(true);
        as(KEY_A).get().uri("/v1/media/{id}", id).exchange().expectStatus().isNotFound();
        as(KEY_A).get().uri("/v1/media/{id}/content", id).exchange().expectStatus().isNotFound();
        as(KEY_A).delete().uri("/v1/media/{id}", id).exchange().expectStatus().isNotFound();
        assertThat(store.exists(objectKeyOf(media))).isFalse();
    }

    /**
     * Retention: media nobody uploaded or named for {@code retention.media} go, row and object; media
     * named in a request again count as used and stay.
     */
    @Test
    void mediaUnusedForTheRetentionPeriodAreDeletedAndUsedOnesStay() {
        Map<String, Object> old = upload(TestMedia.png(3100));
        Map<String, Object> named = upload(TestMedia.png(3200));
        Map<String, Object> fresh = upload(TestMedia.png(3300));
        jdbc.sql("update media set last_used_at = now() - interval '40 days' where id in (:a, :b)")
                .param("a", old.get("id")).param("b", named.get("id")).update();
        // naming media in a job marks it used (the job itself is refused: no such model, no matter)
        as(KEY_A).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("kind", "OCR", "payload", Map.of("media", named.get("id"))))
                .exchange().expectStatus().value(status -> assertThat(status).isLessThan(500));

        // what the retention purge (RetentionPurge) does each round, with the default 30 days
        long deleted = media.deleteUnusedSince(Instant.now().minus(Duration.ofDays(30)), 1000);

        assertThat(deleted).isGreaterThanOrEqualTo(1);
        as(KEY_A).get().uri("/v1/media/{id}", old.get("id")).exchange().expectStatus().isNotFound();
        assertThat(store.exists(objectKeyOf(old))).isFalse();
        as(KEY_A).get().uri("/v1/media/{id}", named.get("id")).exchange().expectStatus().isOk();
        as(KEY_A).get().uri("/v1/media/{id}", fresh.get("id")).exchange().expectStatus().isOk();
        assertThat(store.exists(objectKeyOf(fresh))).isTrue();
    }

    /** Where MediaService keeps tenant-a's media: by content. */
    private static String objectKeyOf(Map<String, Object> media) {
        return "tenant-a/media/" + media.get("sha256");
    }

    private Map<String, Object> upload(byte[] bytes) {
        return as(KEY_A).post().uri("/v1/media").contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(bytes)
                .exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
    }
}
