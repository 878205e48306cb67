package dev.ovis.serve.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that dies together with its watchdog (SIGKILL to the whole process group) leaves its
 * PostgreSQL running; the next start on the same data directory stops that server and comes up,
 * keeping the data. A directory that a live run still uses is refused instead.
 */
class PostgresLeftoverIT {

    @Test
    void theNextStartStopsAServerLeftByAKilledRunAndKeepsItsData(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("postgres");
        // given a first run that wrote a row, then was killed with its watchdog
        long orphan = startAndKillWithWatchdog(data, dir);
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("left running").contains(true);
        // when the next run starts on the same directory
        try (Postgres postgres = Postgres.start(data)) {
            // then the leftover is gone and the new server works
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(PostgresLeftover.postmaster(data).orElseThrow().pid()).isNotEqualTo(orphan);
            try (var c = java.sql.DriverManager.getConnection(postgres.jdbcUrl(), Postgres.USER, Postgres.PASSWORD);
                 var rs = c.createStatement().executeQuery("select 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void aDirectoryThatALiveRunUsesIsRefusedWithAReason(@TempDir Path dir) {
        Path data = dir.resolve("postgres");
        try (Postgres running = Postgres.start(data)) {
            assertThatThrownBy(() -> PostgresLeftover.stopIn(data))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another Ovis Serve run uses").hasMessageContaining("--data-dir");
            assertThat(PostgresLeftover.postmaster(data)).isPresent(); // untouched
        }
    }

    private static long startAndKillWithWatchdog(Path data, Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LeftoverPostgresMain.class.getName(), data.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        long postmaster = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("postmaster ")) {
                    postmaster = Long.parseLong(line.substring("postmaster ".length()).strip());
                    break;
                }
            }
            assertThat(postmaster).as("the child started PostgreSQL").isPositive();
            // the watchdog is the child's descendant running the watchdog script for this data directory
            List<ProcessHandle> watchdogs = child.descendants()
                    .filter(p -> p.info().arguments().map(a -> List.of(a).contains("ovis-pg-watchdog")).orElse(false))
                    .toList();
            assertThat(watchdogs).hasSize(1);
            watchdogs.forEach(ProcessHandle::destroyForcibly);
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        return postmaster;
    }
}
