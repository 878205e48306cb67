package dev.ovis.serve.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.job.CancelRequest;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import dev.ovis.serve.testing.TopicRecorder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An existing database is upgraded in place: one made by an earlier release (here: every migration
 * up to V30 except the ones this release brought in below it, V5, V7, V12, V13) takes the new ones
 * when the gateway starts. Migration numbers are ranges per feature, so this needs Flyway's
 * out-of-order; without it the gateway refused to start on a user's persistent local-run data. An
 * outbox row the earlier release left unpublished (a jsonb envelope) is still sent after V7.
 */
@SpringBootTest(properties = {
        "ovis.gateway.instance-id=gateway-upgrade-it",
        "ovis.gateway.auth.keys.key-upgrade=tenant-upgrade",
        "spring.main.web-application-type=none"})
class SchemaUpgradeIT {

    private static final Set<String> NEW_BELOW_APPLIED = Set.of("V5__", "V7__", "V12__", "V13__");
    /** The job of the outbox row the earlier release left: unique per run, the topic is shared. */
    private static final String OLD_ROW_JOB = "upgrade-" + UUID.randomUUID();
    /** The unpublished row the earlier release left, as jsonb, in its own key order and spacing. */
    private static final String OLD_ROW = """
            {"subject": "%s", "id": "%s:cancel", "type": "ovis.control.cancel", "source": "gateway-service",
             "time": "2026-11-26T07:00:00Z", "data": {"reason": "left before the upgrade", "jobId": "%s"}}"""
            .formatted(OLD_ROW_JOB, OLD_ROW_JOB, OLD_ROW_JOB);

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void olderDatabase(DynamicPropertyRegistry registry) throws Exception {
        SharedInfrastructure.register(registry);
        String shared = SharedInfrastructure.get().jdbcUrl();
        String user = SharedInfrastructure.get().dbUsername();
        String password = SharedInfrastructure.get().dbPassword();
        String name = "upgrade_" + System.nanoTime();
        try (Connection connection = DriverManager.getConnection(shared, user, password)) {
            connection.createStatement().execute("create database " + name);
        }
        String url = shared.replaceFirst("/ovis(\\?|$)", "/" + name + "$1");
        Flyway.configure().dataSource(url, user, password).locations("filesystem:" + olderMigrations()).load().migrate();
        try (Connection connection = DriverManager.getConnection(url, user, password);
             PreparedStatement insert = connection.prepareStatement(
                     "insert into outbox (topic, message_key, envelope) values (?, ?, cast(? as jsonb))")) {
            insert.setString(1, Topics.CONTROL.name());
            insert.setString(2, OLD_ROW_JOB);
            insert.setString(3, OLD_ROW);
            insert.executeUpdate();
        }
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.flyway.url", () -> url);
    }

    /** The migrations of the earlier release: today's, without those added below the highest applied. */
    private static Path olderMigrations() throws IOException {
        Path dir = Files.createTempDirectory("ovis-older-migrations");
        try (Stream<Path> files = Files.list(Path.of("src", "main", "resources", "db", "migration"))) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (NEW_BELOW_APPLIED.stream().noneMatch(name::startsWith)) {
                    Files.copy(file, dir.resolve(name));
                }
            }
        }
        return dir;
    }

    @Test
    void theGatewayStartsOnTheOlderDatabaseAndAppliesTheMigrationsItLacked() {
        List<String> applied = jdbc.sql("select version from flyway_schema_history where success order by installed_rank")
                .query(String.class).list();
        assertThat(applied).contains("1", "30", "5", "7", "12", "13");
        assertThat(applied.indexOf("5")).as("V5 applied after V30, out of order").isGreaterThan(applied.indexOf("30"));
        assertThat(jdbc.sql("select count(*) from information_schema.columns where table_name = 'media' and column_name = 'last_used_at'")
                .query(Integer.class).single()).isEqualTo(1);
    }

    @Test
    void anOutboxRowTheEarlierReleaseLeftIsStillSent() throws Exception {
        try (TopicRecorder control = new TopicRecorder(Topics.CONTROL)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> !control.envelopes(Topics.CONTROL, OLD_ROW_JOB).isEmpty());
            Envelope<CancelRequest> sent = control.envelopes(Topics.CONTROL, OLD_ROW_JOB).getFirst();
            assertThat(sent.id()).isEqualTo(OLD_ROW_JOB + ":cancel");
            assertThat(sent.data()).isEqualTo(new CancelRequest(OLD_ROW_JOB, "left before the upgrade"));
        }
        assertThat(jdbc.sql("select published_at is not null from outbox where message_key = ?").param(OLD_ROW_JOB)
                .query(Boolean.class).single()).isTrue();
    }
}
