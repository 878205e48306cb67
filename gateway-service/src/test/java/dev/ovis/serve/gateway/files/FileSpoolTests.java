package dev.ovis.serve.gateway.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;

class FileSpoolTests {

    @TempDir
    Path dir;

    @Test
    void writesHashesAndCountsTheStream() throws Exception {
        // given a body in three buffers
        Path file = Files.createFile(dir.resolve("spool"));
        Flux<DataBuffer> body = Flux.just("{\"a\":1}\n", "{\"b\":2}\n", "{\"c\":3}\n").map(FileSpoolTests::buffer);

        // when it is spooled
        FileSpool.Spooled spooled = FileSpool.spool(body, file, 1024).block();

        // then the file holds it and the digest and size describe it
        String all = "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n";
        assertThat(Files.readString(file)).isEqualTo(all);
        assertThat(spooled.size()).isEqualTo(all.length());
        assertThat(spooled.sha256()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(all.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void failsWith413AsSoonAsTheLimitIsPassed() throws Exception {
        Path file = Files.createFile(dir.resolve("spool"));
        Flux<DataBuffer> body = Flux.range(0, 100).map(i -> buffer("0123456789"));

        assertThatThrownBy(() -> FileSpool.spool(body, file, 55).block())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MEDIA_TOO_LARGE));
        assertThat(Files.size(file)).isLessThanOrEqualTo(55);
    }

    private static DataBuffer buffer(String text) {
        return DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
