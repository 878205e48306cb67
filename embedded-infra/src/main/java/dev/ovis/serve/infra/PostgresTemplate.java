package dev.ovis.serve.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A freshly initialised PostgreSQL cluster (with the {@code ovis} database), made once per
 * machine and binaries version and copied for every temporary cluster.
 *
 * <p>{@code initdb} costs several seconds of CPU; copying its result costs a fraction of one.
 * Every test JVM of every module starts a temporary cluster, so this is most of their start-up.
 * The template lives in the system temporary directory, is built under a file lock (test JVMs of
 * different modules run at the same time) and published by an atomic rename.
 */
final class PostgresTemplate {

    private static final Logger log = LoggerFactory.getLogger(PostgresTemplate.class);
    private static final String BINARIES_RESOURCE = "postgres-linux-x86_64.txz";
    private static final String READY_MARKER = ".ovis-template-ready";

    private PostgresTemplate() {
    }

    /**
     * Copies the template into {@code target} (which must not exist), building the template first
     * when needed with {@code initialise}, which must leave a stopped cluster in the directory it is given.
     *
     * @return false when no template can be used here (binaries other than Linux x86-64): initdb as usual
     */
    static synchronized boolean copyTo(Path target, Consumer<Path> initialise) {
        Optional<String> key = binariesKey();
        if (key.isEmpty()) {
            return false;
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path template = tmp.resolve("ovis-pg-template-" + key.get());
        try {
            if (!Files.exists(template.resolve(READY_MARKER))) {
                build(template, tmp.resolve("ovis-pg-template-" + key.get() + ".lock"), initialise);
            }
            copyTree(template, target);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the PostgreSQL template " + template, e);
        }
    }

    private static void build(Path template, Path lockFile, Consumer<Path> initialise) throws IOException {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            if (Files.exists(template.resolve(READY_MARKER))) {
                return; // another JVM built it while we waited
            }
            Path building = Files.createTempDirectory(template.getParent(), template.getFileName() + ".building");
            Path dataDir = building.resolve("data");
            long started = System.nanoTime();
            initialise.accept(dataDir);
            Files.deleteIfExists(dataDir.resolve("epg-lock"));
            Files.writeString(dataDir.resolve(READY_MARKER), "ready", StandardCharsets.UTF_8);
            deleteTree(template);
            Files.move(dataDir, template, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(building);
            log.info("Built PostgreSQL template {} in {} ms", template, (System.nanoTime() - started) / 1_000_000);
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path dest = target.resolve(source.relativize(p).toString());
                if (p.getFileName().toString().equals(READY_MARKER)) {
                    continue;
                }
                Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /** Deletes a directory tree, best effort (logs what it cannot delete). */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", dir, e.toString());
        }
    }

    /** Identifies the bundled binaries by the jar they come from (its name carries the version). */
    private static Optional<String> binariesKey() {
        URL url = PostgresTemplate.class.getClassLoader().getResource(BINARIES_RESOURCE);
        if (url == null) {
            return Optional.empty();
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(url.toString().getBytes(StandardCharsets.UTF_8));
            return Optional.of(HexFormat.of().formatHex(digest, 0, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
