package dev.ovis.serve.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandaloneOptionsTests {

    @Test
    void kafkaListensOn9092UnlessConfiguredOrEphemeral() {
        assertThat(StandaloneOptions.parse(new String[0], Map.of()).kafkaPort()).isEqualTo(9092);
        assertThat(StandaloneOptions.parse(new String[] {"--kafka-port=19092"}, Map.of()).kafkaPort()).isEqualTo(19092);
        assertThat(StandaloneOptions.parse(new String[] {"--ephemeral-ports"}, Map.of()).kafkaPort()).isZero();
        assertThat(StandaloneOptions.parse(new String[] {"--ephemeral-ports", "--kafka-port=19092"}, Map.of()).kafkaPort())
                .isEqualTo(19092);
    }

    @Test
    void dataDirectoryAndServiceArguments() {
        StandaloneOptions options = StandaloneOptions.parse(new String[] {"--data-dir=/tmp/x", "--ovis.model.dir=/m"},
                Map.of("OVIS_DATA_DIR", "/ignored"));
        assertThat(options.dataDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(options.serviceArgs()).containsExactly("--ovis.model.dir=/m");
        assertThat(StandaloneOptions.parse(new String[] {"--temporary"}, Map.of()).dataDir()).isNull();
        assertThatThrownBy(() -> StandaloneOptions.parse(new String[] {"stray"}, Map.of()))
                .hasMessageContaining("--kafka-port=PORT");
    }
}
