package dev.ovis.serve.infra.test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import dev.ovis.serve.infra.EmbeddedInfrastructure;
import dev.ovis.serve.infra.Infrastructure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.testcontainers.DockerClientFactory;

/**
 * The infrastructure every integration test of a JVM shares: started on first use, stopped by a
 * shutdown hook, so Spring's context cache and many test classes reuse one broker, one database
 * and one object store.
 *
 * <p>Where Docker is available it runs Kafka, PostgreSQL and MinIO in Testcontainers; otherwise
 * the in-process {@link EmbeddedInfrastructure}. Tests therefore run everywhere and are never
 * skipped. {@code -Dovis.infra=embedded|containers} (or {@code OVIS_INFRA}) forces a choice.
 *
 * <pre>{@code
 * @DynamicPropertySource
 * static void infra(DynamicPropertyRegistry registry) { SharedInfrastructure.register(registry); }
 * }</pre>
 */
public final class SharedInfrastructure {

    private static final Logger log = LoggerFactory.getLogger(SharedInfrastructure.class);
    private static Infrastructure instance;

    private SharedInfrastructure() {
    }

    /** The JVM-wide infrastructure, started on the first call. */
    public static synchronized Infrastructure get() {
        if (instance == null) {
            Infrastructure started = startOne();
            Runtime.getRuntime().addShutdownHook(
                    Thread.ofPlatform().name("ovis-infra-shutdown").unstarted(started::close));
            instance = started;
        }
        return instance;
    }

    /** Registers {@link Infrastructure#springProperties()} of the shared infrastructure. */
    public static void register(DynamicPropertyRegistry registry) {
        for (Map.Entry<String, String> property : get().springProperties().entrySet()) {
            String value = property.getValue();
            registry.add(property.getKey(), () -> value);
        }
    }

    private static Infrastructure startOne() {
        String choice = System.getProperty("ovis.infra", System.getenv().getOrDefault("OVIS_INFRA", "auto"))
                .toLowerCase(Locale.ROOT);
        boolean containers = switch (choice) {
            case "containers" -> true;
            case "embedded" -> false;
            default -> dockerAvailable();
        };
        if (containers) {
            log.info("Starting shared test infrastructure in Testcontainers (Kafka, PostgreSQL, MinIO)");
            return ContainerInfrastructure.start();
        }
        log.info("Starting shared test infrastructure in-process (no Docker): Kafka, PostgreSQL, s3proxy");
        return EmbeddedInfrastructure.start(null);
    }

    /** Asks Testcontainers only when a Docker endpoint may exist (its probe logs errors and takes seconds). */
    private static boolean dockerAvailable() {
        Path home = Path.of(System.getProperty("user.home"));
        boolean hint = System.getenv("DOCKER_HOST") != null
                || Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(home.resolve(".docker/run/docker.sock"))
                || Files.exists(home.resolve(".testcontainers.properties"));
        if (!hint) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
