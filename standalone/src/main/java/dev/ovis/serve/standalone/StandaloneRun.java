package dev.ovis.serve.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import dev.ovis.serve.infra.EmbeddedInfrastructure;
import dev.ovis.serve.infra.Infrastructure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole suite running in this JVM: infrastructure, the five services, the API key a client
 * uses. {@link #close()} stops the services, then the infrastructure it started — also when
 * called while start-up is still under way (a shutdown hook on Ctrl-C).
 *
 * <p>With a data directory the API key is kept in {@code api-key} there (created on first run),
 * so jobs and media stay reachable across restarts; with {@code --ovis.gateway.auth.keys...}
 * configured, the configured keys are used and no key is generated. The admin key that opens the
 * gateway's metrics and traces is kept likewise in {@code admin-key} (unless
 * {@code --ovis.gateway.auth.admin-keys...} is given).
 */
public final class StandaloneRun implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StandaloneRun.class);

    private final Suite suite = new Suite();
    private volatile Infrastructure infrastructure;
    private volatile boolean ownsInfrastructure;
    private volatile String apiKey;
    private volatile String adminKey;
    private boolean closed;

    /**
     * Starts the infrastructure (embedded, in the options' data directory, unless {@code shared}
     * is given: then that one, which this run does not stop), the suite on it, and waits until
     * every service reports UP. On failure everything started is stopped.
     */
    void start(StandaloneOptions options, Infrastructure shared) throws InterruptedException {
        try {
            Infrastructure infra = shared;
            if (infra == null) {
                infra = EmbeddedInfrastructure.start(options.dataDir(), options.kafkaPort());
                synchronized (this) {
                    infrastructure = infra;
                    ownsInfrastructure = true;
                    if (closed) {
                        throw new IllegalStateException("stopped while starting");
                    }
                }
            } else {
                infrastructure = infra;
            }
            apiKey = options.configuresApiKeys() ? null : key(options.dataDir(), "api-key");
            adminKey = options.configuresAdminKeys() ? null : key(options.dataDir(), "admin-key");
            List<String> extra = new ArrayList<>();
            if (apiKey != null) {
                extra.add("--ovis.gateway.auth.keys[" + apiKey + "]=default");
            }
            if (adminKey != null) {
                extra.add("--ovis.gateway.auth.admin-keys[0]=" + adminKey);
            }
            suite.start(infra, options, extra);
            HealthWait.untilUp(suite.ports(), options.healthTimeout());
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
    }

    /** HTTP port of each service, in start order. */
    public Map<Service, Integer> ports() {
        return suite.ports();
    }

    /** The running Spring context of {@code service}. */
    ConfigurableApplicationContext contextFor(Service service) {
        return suite.contexts().get(service);
    }

    /**
     * Stops {@code service} and starts it again on the same port and infrastructure, then waits until
     * every service reports UP (tests: a restart mid-work).
     */
    void restart(Service service, Duration healthTimeout) throws InterruptedException {
        suite.restart(service);
        HealthWait.untilUp(suite.ports(), healthTimeout);
    }

    /** The gateway's base URL. */
    public String gatewayUrl() {
        return "http://127.0.0.1:" + ports().get(Service.SUITE.getFirst());
    }

    /** The API key of tenant {@code default}; null when keys were configured instead. */
    public String apiKey() {
        return apiKey;
    }

    /** The key that opens the gateway's /actuator (metrics, traces); null when admin keys were configured. */
    public String adminKey() {
        return adminKey;
    }

    public Infrastructure infrastructure() {
        return infrastructure;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long t0 = System.nanoTime();
        suite.close();
        if (ownsInfrastructure && infrastructure != null) {
            infrastructure.close();
        }
        log.info("Standalone run stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    /** A new key, or with a data directory the one kept there in {@code name} (created on first run). */
    private static String key(Path dataDir, String name) {
        if (dataDir == null) {
            return newKey();
        }
        Path file = dataDir.resolve(name);
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            Files.createDirectories(dataDir);
            String key = newKey();
            Files.writeString(file, key + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the " + name + " in " + file, e);
        }
    }

    private static String newKey() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        return "ovis-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
