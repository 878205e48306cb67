package dev.ovis.serve.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import dev.ovis.serve.support.media.MediaFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class UploadSpoolTests {

    @TempDir
    Path dir;

    @Test
    void writesHashesCountsAndKeepsTheHeadOfAStreamSplitAcrossBuffers() throws Exception {
        byte[] bytes = new byte[100_003];
        ThreadLocalRandom.current().nextBytes(bytes);
        Path file = Files.createFile(dir.resolve("upload"));

        UploadSpool.Spooled spooled = UploadSpool.spool(chunks(bytes, 7), file, 1_000_000).block();

        assertThat(spooled.size()).isEqualTo(bytes.length);
        assertThat(spooled.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(spooled.head()).hasSize(MediaFormat.HEAD_BYTES)
                .isEqualTo(java.util.Arrays.copyOf(bytes, MediaFormat.HEAD_BYTES));
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
    }

    @Test
    void aShortUploadKeepsAShortHead() throws Exception {
        Path file = Files.createFile(dir.resolve("upload"));
        UploadSpool.Spooled spooled = UploadSpool.spool(chunks(new byte[] {1, 2, 3}, 2), file, 10).block();
        assertThat(spooled.head()).containsExactly(1, 2, 3);
    }

    @Test
    void failsWith413AsSoonAsTheStreamPassesTheLimit() throws Exception {
        Path file = Files.createFile(dir.resolve("upload"));
        StepVerifier.create(UploadSpool.spool(chunks(new byte[5000], 1000), file, 4999))
                .expectErrorSatisfies(error -> assertThat(((ApiException) error).code()).isEqualTo(ErrorCode.MEDIA_TOO_LARGE))
                .verify();
        assertThat(Files.size(file)).isLessThanOrEqualTo(4999);
    }

    private static Flux<DataBuffer> chunks(byte[] bytes, int size) {
        return Flux.range(0, (bytes.length + size - 1) / size)
                .map(i -> DefaultDataBufferFactory.sharedInstance.wrap(java.nio.ByteBuffer.wrap(bytes, i * size, Math.min(size, bytes.length - i * size))));
    }
}
