package dev.ovis.serve.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real Kafka (KRaft), PostgreSQL and S3 servers started from this JVM, each bound to 127.0.0.1 on
 * an ephemeral port: the infrastructure of the one-JVM local run and of tests without Docker.
 *
 * <p>The three servers start in parallel. With a data directory their state lives under it
 * ({@code kafka/}, {@code postgres/}, {@code s3/}) and survives restarts; without one everything
 * goes to a temporary directory that {@link #close()} deletes.
 */
public final class EmbeddedInfrastructure implements Infrastructure {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedInfrastructure.class);

    private final KraftBroker kafka;
    private final Postgres postgres;
    private final S3Server s3;
    private final Path temporaryDir;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedInfrastructure(KraftBroker kafka, Postgres postgres, S3Server s3, Path temporaryDir) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.s3 = s3;
        this.temporaryDir = temporaryDir;
    }

    /**
     * Starts the three servers and returns once each accepts connections.
     *
     * @param dataDir where state persists across runs; {@code null} for a temporary directory
     * @throws IllegalStateException naming the server that failed (those already started are stopped)
     */
    public static EmbeddedInfrastructure start(Path dataDir) {
        return start(dataDir, 0);
    }

    /**
     * As {@link #start(Path)}, with Kafka on {@code kafkaPort} when it is free (0: any free port),
     * so clients outside the suite (pipelines) find the broker at a known address.
     */
    public static EmbeddedInfrastructure start(Path dataDir, int kafkaPort) {
        long started = System.nanoTime();
        Path temporaryDir = null;
        Path root = dataDir;
        try {
            if (root == null) {
                temporaryDir = Files.createTempDirectory("ovis-infra");
                root = temporaryDir;
            } else {
                Files.createDirectories(root);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dataDir, e);
        }
        Path base = root;
        boolean persistent = dataDir != null;
        CompletableFuture<KraftBroker> kafka = async("Kafka", () -> KraftBroker.start(base.resolve("kafka"), kafkaPort));
        CompletableFuture<Postgres> postgres = async("PostgreSQL",
                () -> Postgres.start(persistent ? base.resolve("postgres") : null));
        CompletableFuture<S3Server> s3 = async("S3", () -> S3Server.start(persistent ? base.resolve("s3") : null));
        try {
            CompletableFuture.allOf(kafka, postgres, s3).join();
        } catch (CompletionException e) {
            List<AutoCloseable> running = new ArrayList<>();
            Stream.of(kafka, postgres, s3).filter(f -> !f.isCompletedExceptionally()).forEach(f -> running.add(f.join()));
            running.forEach(EmbeddedInfrastructure::closeQuietly);
            deleteRecursively(temporaryDir);
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        EmbeddedInfrastructure infra = new EmbeddedInfrastructure(kafka.join(), postgres.join(), s3.join(), temporaryDir);
        log.info("Embedded infrastructure up in {} ms: Kafka {}, PostgreSQL {}, S3 {} (data: {})",
                (System.nanoTime() - started) / 1_000_000, infra.kafkaBootstrapServers(), infra.jdbcUrl(),
                infra.s3Endpoint(), persistent ? dataDir.toAbsolutePath() : "temporary");
        return infra;
    }

    private static <T> CompletableFuture<T> async(String name, Supplier<T> start) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Thread.ofPlatform().name("ovis-infra-start-" + name).daemon().start(() -> {
            try {
                future.complete(start.get());
            } catch (RuntimeException | Error e) {
                future.completeExceptionally(new IllegalStateException(name + " did not start: " + e.getMessage(), e));
            }
        });
        return future;
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    @Override
    public String r2dbcUrl() {
        return postgres.r2dbcUrl();
    }

    @Override
    public String dbUsername() {
        return Postgres.USER;
    }

    @Override
    public String dbPassword() {
        return Postgres.PASSWORD;
    }

    @Override
    public String s3Endpoint() {
        return s3.endpoint();
    }

    @Override
    public String s3AccessKey() {
        return S3Server.ACCESS_KEY;
    }

    @Override
    public String s3SecretKey() {
        return S3Server.SECRET_KEY;
    }

    /** Stops the servers (S3, then Kafka, then PostgreSQL) and deletes a temporary data directory. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        closeQuietly(s3);
        closeQuietly(kafka);
        closeQuietly(postgres);
        deleteRecursively(temporaryDir);
        log.info("Embedded infrastructure stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
        }
    }

    private static void deleteRecursively(Path dir) {
        PostgresTemplate.deleteTree(dir);
    }
}
