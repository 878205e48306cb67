package dev.ovis.serve.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-process servers really work, and with a data directory their state survives a restart. */
class EmbeddedInfrastructureIT {

    @Test
    void temporaryInfrastructureServesKafkaSqlAndS3OnLoopback() throws Exception {
        try (EmbeddedInfrastructure infra = EmbeddedInfrastructure.start(null)) {
            assertThat(infra.kafkaBootstrapServers()).startsWith("127.0.0.1:");
            assertThat(infra.jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:").endsWith("/ovis");
            assertThat(infra.r2dbcUrl()).startsWith("r2dbc:postgresql://127.0.0.1:").endsWith("/ovis");
            assertThat(infra.s3Endpoint()).startsWith("http://127.0.0.1:");
            assertThat(infra.springProperties())
                    .containsEntry("spring.kafka.bootstrap-servers", infra.kafkaBootstrapServers())
                    .containsEntry("spring.flyway.url", infra.jdbcUrl())
                    .containsEntry("ovis.storage.endpoint", infra.s3Endpoint())
                    .containsKeys("spring.datasource.url", "spring.r2dbc.url", "spring.r2dbc.username",
                            "ovis.storage.access-key", "ovis.storage.secret-key");

            InfrastructureProbe.createTopic(infra, "probe.partitioned", 3);
            InfrastructureProbe.kafkaRoundTrip(infra, "probe.partitioned", List.of("a"));
            InfrastructureProbe.kafkaRoundTrip(infra, "probe.auto-created", List.of("one", "two", "three"));
            InfrastructureProbe.sqlRoundTrip(infra, "probe", "hello postgres");
            InfrastructureProbe.s3RoundTrip(infra, "ovis-media", "a/b.txt", "hello s3");
        }
    }

    @Test
    void persistentDataDirectoryKeepsTopicsRowsAndObjectsAcrossRestarts(@TempDir Path dir) throws Exception {
        try (EmbeddedInfrastructure infra = EmbeddedInfrastructure.start(dir)) {
            InfrastructureProbe.produce(infra, "probe.persistent", List.of("kept"));
            InfrastructureProbe.sqlRoundTrip(infra, "kept", "row");
            InfrastructureProbe.s3RoundTrip(infra, "kept", "k", "object");
        }
        assertThat(dir.resolve("kafka")).isDirectory();
        assertThat(dir.resolve("postgres")).isDirectory();
        assertThat(Files.list(dir.resolve("s3")).count()).isPositive();

        try (EmbeddedInfrastructure infra = EmbeddedInfrastructure.start(dir)) {
            assertThat(InfrastructureProbe.consumeInGroup(infra, "probe.persistent", "after-restart", 1))
                    .containsExactly("kept");
            assertThat(InfrastructureProbe.sqlRead(infra, "kept")).containsExactly("row");
            assertThat(InfrastructureProbe.s3Read(infra, "kept", "k")).isEqualTo("object");
        }
    }
}
