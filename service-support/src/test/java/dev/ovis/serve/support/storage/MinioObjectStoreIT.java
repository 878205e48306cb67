package dev.ovis.serve.support.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.infra.Infrastructure;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link MinioObjectStore} against a real S3 server (s3proxy in-process, or MinIO in a container). */
class MinioObjectStoreIT {

    static MinioObjectStore store;

    @BeforeAll
    static void connect() {
        Infrastructure infra = SharedInfrastructure.get();
        // a fresh bucket each run, so creating it at start-up is exercised
        store = MinioObjectStore.connect(new StorageProperties(infra.s3Endpoint(), infra.s3AccessKey(),
                infra.s3SecretKey(), "us-east-1", "it-" + UUID.randomUUID(), Duration.ofSeconds(30)));
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Test
    void streamsContentOfUnknownSizeInPartsAndHashesIt() throws Exception {
        // given 12 MiB of content whose length the store is not told (more than one 8 MiB part)
        byte[] content = new byte[12 * 1024 * 1024 + 123];
        new Random(42).nextBytes(content);
        String key = "t/" + UUID.randomUUID();

        // when
        MediaRef ref = store.put(key, new ByteArrayInputStream(content), -1, "application/octet-stream");

        // then
        assertThat(ref.size()).isEqualTo(content.length);
        assertThat(ref.sha256()).isEqualTo(sha256(content));
        assertThat(ref.bucket()).isEqualTo(store.bucket());
        try (InputStream in = store.open(ref)) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(ref.sha256());
        }
    }

    @Test
    void putBytesAndReadAllRoundTrip() {
        byte[] content = "hello, ovis".getBytes(StandardCharsets.UTF_8);

        MediaRef ref = store.putBytes("t/" + UUID.randomUUID(), content, "text/plain");

        assertThat(ref.sha256()).isEqualTo(sha256(content));
        assertThat(store.readAll(ref, content.length)).isEqualTo(content);
    }

    @Test
    void readAllRefusesObjectsOverTheLimitEvenWhenTheRefUnderstatesTheSize() {
        MediaRef ref = store.putBytes("t/" + UUID.randomUUID(), new byte[1000], "application/octet-stream");
        MediaRef understated = new MediaRef(ref.bucket(), ref.key(), ref.contentType(), ref.sha256(), 10);

        assertThatThrownBy(() -> store.readAll(ref, 999)).isInstanceOfSatisfying(ObjectStoreException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.MEDIA_TOO_LARGE));
        assertThatThrownBy(() -> store.readAll(understated, 999)).isInstanceOfSatisfying(ObjectStoreException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.MEDIA_TOO_LARGE));
    }

    @Test
    void existsAndDelete() {
        String key = "t/" + UUID.randomUUID();
        store.putBytes(key, new byte[] {1}, "application/octet-stream");

        assertThat(store.exists(key)).isTrue();
        store.delete(key);
        assertThat(store.exists(key)).isFalse();
        store.delete(key); // deleting a missing object is fine
    }

    @Test
    void aMissingObjectIsNotFound() {
        MediaRef missing = new MediaRef(store.bucket(), "t/missing-" + UUID.randomUUID(), "image/png", "0".repeat(64), 1);

        assertThatThrownBy(() -> store.open(missing)).isInstanceOfSatisfying(ObjectStoreException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void contentShorterThanDeclaredIsRefused() {
        String key = "t/" + UUID.randomUUID();

        assertThatThrownBy(() -> store.put(key, new ByteArrayInputStream(new byte[10]), 20, "application/octet-stream"))
                .isInstanceOfSatisfying(ObjectStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
    }

    @Test
    void anUnreachableStoreFailsStartUpAsUnavailableWithinItsTimeout() throws IOException {
        int unusedPort;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            unusedPort = socket.getLocalPort();
        }
        StorageProperties nowhere = new StorageProperties("http://127.0.0.1:" + unusedPort, "a", "b", "us-east-1",
                "x-bucket", Duration.ofMillis(300));

        assertThatThrownBy(() -> MinioObjectStore.connect(nowhere)).isInstanceOfSatisfying(ObjectStoreException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }

    @Test
    void useAfterCloseThrows() {
        Infrastructure infra = SharedInfrastructure.get();
        MinioObjectStore other = MinioObjectStore.connect(StorageProperties.defaults()
                .withEndpoint(infra.s3Endpoint(), infra.s3AccessKey(), infra.s3SecretKey()));
        other.close();
        other.close(); // idempotent

        assertThatThrownBy(() -> other.exists("x")).isInstanceOf(IllegalStateException.class);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
