package dev.ovis.serve.topology;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The topology reads each service's environment from the repository's docker-compose.yml. */
class ComposeFileTests {

    private static final ComposeFile COMPOSE = ComposeFile.read(Path.of("..", "docker-compose.yml"));

    @Test
    void aServiceGetsTheSharedEnvironmentMergedWithItsOwn() {
        // given no variables set, when the llm service's environment is read
        Map<String, String> env = COMPOSE.environment("llm-service", name -> null);

        // then the anchor's variables and the service's own are there, defaults resolved
        assertThat(env).containsEntry("SPRING_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
                .containsEntry("OVIS_STORAGE_ENDPOINT", "http://minio:9000")
                .containsEntry("OVIS_STORAGE_ACCESS_KEY", "ovis")
                .containsEntry("OVIS_STAGE_CONCURRENCY", "4")
                .containsEntry("SERVER_PORT", "8082")
                .containsEntry("OVIS_MODEL_DIR", "/models/tiny-ovis2");
    }

    @Test
    void variablesReplaceTheirDefaults() {
        Map<String, String> env = COMPOSE.environment("gateway-service",
                Map.of("OVIS_DB_PASSWORD", "secret", "OVIS_ADMIN_KEY", "admin")::get);

        assertThat(env).containsEntry("SPRING_DATASOURCE_PASSWORD", "secret")
                .containsEntry("OVIS_GATEWAY_AUTH_ADMINKEYS_0", "admin")
                .containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://postgres:5432/ovis");
    }

    @Test
    void interpolationFollowsCompose() {
        assertThat(ComposeFile.interpolate("a${X:-d}b", name -> null)).isEqualTo("adb");
        assertThat(ComposeFile.interpolate("a${X:-d}b", name -> "")).isEqualTo("adb");
        assertThat(ComposeFile.interpolate("${X}", name -> null)).isEmpty();
        assertThat(ComposeFile.interpolate("${X-d}/${Y}", Map.of("X", "x", "Y", "$1")::get)).isEqualTo("x/$1");
    }

    @Test
    void memoryLimitsAreReadInBytes() {
        assertThat(COMPOSE.memoryLimit("llm-service")).isEqualTo(6L << 30);
        assertThat(COMPOSE.memoryLimit("gateway-service")).isEqualTo(768L << 20);
        assertThat(ComposeFile.bytes("1536m")).isEqualTo(1536L << 20);
    }

    @Test
    void anUnknownServiceIsNamed() {
        assertThatThrownBy(() -> COMPOSE.environment("nope", name -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    }
}
