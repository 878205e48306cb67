package dev.ovis.serve.video.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChildProcessTests {

    @Test
    void killsAHungChildAtTheDeadline() throws Exception {
        try (ChildProcess child = ChildProcess.start(List.of("sleep", "60"), Instant.now().plusMillis(200))) {
            int status = child.waitFor();

            assertThat(child.killedAtDeadline()).isTrue();
            assertThat(status).isNotZero();
        }
    }

    @Test
    void keepsTheLastErrorLines() throws Exception {
        try (ChildProcess child = ChildProcess.start(List.of("sh", "-c", "echo '[mov @ 0x1] moov atom not found' >&2; exit 1"),
                Instant.now().plusSeconds(30))) {
            assertThat(child.waitFor()).isEqualTo(1);
            assertThat(child.errorText()).isEqualTo("moov atom not found");
        }
    }
}
