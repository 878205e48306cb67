package dev.ovis.serve.video.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FfmpegInputTests {

    @TempDir
    Path dir;

    @Test
    void inputFilesLeftByADeadProcessAreDeletedAndYoungOnesAndOthersKept() throws Exception {
        // given: an input left long ago, one of a video in flight, and somebody else's file
        Path stale = Files.writeString(dir.resolve("ovis-video-123.input"), "old");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        Path young = Files.writeString(dir.resolve("ovis-video-456.input"), "in flight");
        Path other = Files.writeString(dir.resolve("notes.txt"), "not ours");
        Files.setLastModifiedTime(other, FileTime.from(Instant.now().minus(Duration.ofHours(1))));

        // when
        int deleted = FfmpegInput.deleteStale(dir, Duration.ofMinutes(4));

        // then
        assertThat(deleted).isEqualTo(1);
        assertThat(stale).doesNotExist();
        assertThat(young).exists();
        assertThat(other).exists();
    }

    @Test
    void theInputFileIsOwnerOnlyAndGoneAfterClose() throws Exception {
        Path file;
        try (FfmpegInput input = FfmpegInput.of(new byte[] {1, 2, 3})) {
            file = input.file();
            assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
            assertThat(Files.getPosixFilePermissions(file).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
        }
        assertThat(file).doesNotExist();
    }
}
