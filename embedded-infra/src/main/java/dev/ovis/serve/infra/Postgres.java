package dev.ovis.serve.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (zonky's bundled binaries) listening on 127.0.0.1, with the
 * {@code ovis} database created.
 *
 * <p>Postgres refuses to run as root; zonky starts {@code initdb} and {@code pg_ctl} through
 * {@code unshare -U} when that program exists, so inside a fresh user namespace the server sees
 * itself as an unprivileged user while the kernel still checks file access as the real user.
 * A temporary cluster trades durability for speed ({@code fsync=off}); a persistent one keeps it.
 */
final class Postgres implements AutoCloseable {

    static final String DATABASE = "ovis";
    static final String USER = "postgres";
    static final String PASSWORD = "postgres";

    private static final Logger log = LoggerFactory.getLogger(Postgres.class);

    private final EmbeddedPostgres server;
    private final Path dataDirectory;
    private final Path ownedDirectory;
    private final PostgresWatchdog watchdog;

    private Postgres(EmbeddedPostgres server, Path dataDirectory, Path ownedDirectory, PostgresWatchdog watchdog) {
        this.server = server;
        this.dataDirectory = dataDirectory;
        this.ownedDirectory = ownedDirectory;
        this.watchdog = watchdog;
    }

    /** Starts a cluster in {@code dataDir} (created by initdb on first use), or a throw-away one when null. */
    static Postgres start(Path dataDir) {
        return start(dataDir, 0);
    }

    /** As {@link #start(Path)}, on {@code port} (0: any free port; only with a data directory). */
    static Postgres start(Path dataDir, int port) {
        if (dataDir != null) {
            Path dir = dataDir.toAbsolutePath();
            PostgresLeftover.stopIn(dir);
            EmbeddedPostgres.Builder builder = builder().setDataDirectory(dir).setCleanDataDirectory(false);
            if (port > 0) {
                builder.setPort(port);
            }
            return launch(builder, dir, null);
        }
        Path copy = temporaryDirectory();
        boolean fromTemplate = PostgresTemplate.copyTo(copy, Postgres::initialiseTemplate);
        EmbeddedPostgres.Builder builder = fastButFragile(builder());
        if (!fromTemplate) {
            PostgresTemplate.deleteTree(copy.getParent());
            return launch(builder, null, null); // zonky's own temporary directory, deleted by zonky
        }
        builder.setDataDirectory(copy).setCleanDataDirectory(false); // true would run initdb again; close() deletes it
        return launch(builder, copy, copy.getParent());
    }

    /** initdb, create the ovis database, stop: the content of {@link PostgresTemplate}. */
    private static void initialiseTemplate(Path dataDir) {
        launch(fastButFragile(builder()).setDataDirectory(dataDir).setCleanDataDirectory(false), dataDir, null).close();
    }

    private static EmbeddedPostgres.Builder builder() {
        return EmbeddedPostgres.builder()
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "100")
                .setServerConfig("shared_buffers", "32MB")
                .setServerConfig("max_wal_size", "256MB")
                .setServerConfig("log_min_messages", "warning");
    }

    /** For throw-away clusters: no fsync, so a crash may lose the data, which dies with the JVM anyway. */
    private static EmbeddedPostgres.Builder fastButFragile(EmbeddedPostgres.Builder builder) {
        return builder.setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off");
    }

    private static Path temporaryDirectory() {
        try {
            Path parent = Files.createTempDirectory("ovis-pg");
            return parent.resolve("data"); // must not exist yet: the template copy creates it
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
    }

    /**
     * @param dataDir        the data directory when known (watched, see {@link PostgresWatchdog})
     * @param ownedDirectory a directory to delete when the server stops, or null
     */
    private static Postgres launch(EmbeddedPostgres.Builder builder, Path dataDir, Path ownedDirectory) {
        PostgresWatchdog watchdog = dataDir == null ? null : PostgresWatchdog.watch(dataDir, ownedDirectory);
        EmbeddedPostgres server;
        try {
            server = builder.start();
        } catch (IOException | RuntimeException e) {
            // the watchdog stays: a half-started server is stopped, and its directory deleted, at JVM exit
            throw new IllegalStateException("PostgreSQL did not start: " + e.getMessage(), e);
        }
        Postgres postgres = new Postgres(server, dataDir, ownedDirectory, watchdog);
        try {
            postgres.createDatabase();
        } catch (SQLException e) {
            postgres.close();
            throw new IllegalStateException("cannot create database " + DATABASE, e);
        }
        return postgres;
    }

    int port() {
        return server.getPort();
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    String r2dbcUrl() {
        return "r2dbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    private void createDatabase() throws SQLException {
        String adminUrl = "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
        try (Connection c = DriverManager.getConnection(adminUrl, USER, PASSWORD)) {
            try (PreparedStatement exists = c.prepareStatement("select 1 from pg_database where datname = ?")) {
                exists.setString(1, DATABASE);
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (Statement create = c.createStatement()) {
                create.execute("create database " + DATABASE);
            }
        }
    }

    @Override
    public void close() {
        Optional<ProcessHandle> postmaster = postmaster();
        try {
            server.close();
        } catch (IOException | RuntimeException e) {
            log.warn("PostgreSQL shutdown failed: {}", e.toString());
        }
        // pg_ctl returns once the pid file is gone; the postmaster may still be exiting.
        postmaster.ifPresent(p -> {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.warn("PostgreSQL (pid {}) still running after stop", p.pid());
            }
        });
        if (watchdog != null) {
            watchdog.close();
        }
        PostgresTemplate.deleteTree(ownedDirectory);
    }

    private Optional<ProcessHandle> postmaster() {
        return dataDirectory == null ? Optional.empty() : PostgresLeftover.postmaster(dataDirectory);
    }
}
