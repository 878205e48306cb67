package dev.ovis.serve.standalone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ovis.serve.infra.Infrastructure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * The five applications of the suite, each in its own Spring context in this JVM, pointed at
 * one infrastructure.
 *
 * <p>Each context reads only its own module's {@code application.yml}
 * ({@link ServiceConfigLocation}) and gets, as command-line properties (which win over that
 * file): the infrastructure's coordinates, its port on 127.0.0.1, and quieter logging. Worker
 * contexts do not get a database: they keep no state there, and with five contexts sharing one
 * class path the JDBC and Flyway auto-configuration would otherwise run in every one of them.
 * Logging is configured once, by the first context: the same levels go to all, and each further
 * reset of Logback would only cost time and drop lines logged meanwhile.
 */
final class Suite implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Suite.class);

    /** Present on the class path because of the gateway; not for the workers. */
    private static final String WORKER_EXCLUDES = String.join(",",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration");

    private static final Map<String, String> QUIET_LOGGING = Map.of(
            "logging.level.kafka", "WARN",
            "logging.level.org.apache.kafka", "WARN",
            "logging.level.state.change.logger", "WARN",
            "logging.level.org.gaul", "WARN",
            "logging.level.io.zonky", "WARN",
            "logging.level.org.flywaydb", "WARN");

    private static final String LOGGING_SYSTEM = "org.springframework.boot.logging.LoggingSystem";

    private final Map<Service, ConfigurableApplicationContext> contexts = new LinkedHashMap<>();
    private final Map<Service, List<String>> arguments = new LinkedHashMap<>();
    private volatile boolean closed;

    /**
     * Starts every service in {@link Service#SUITE} order. On failure, or when {@link #close()}
     * is called meanwhile (Ctrl-C during start-up), stops those already started and throws.
     */
    void start(Infrastructure infra, StandaloneOptions options, List<String> extraArgs) {
        String loggingSystem = System.getProperty(LOGGING_SYSTEM);
        try {
            for (Service service : Service.SUITE) {
                if (closed) {
                    throw new IllegalStateException("stopped while starting");
                }
                long t0 = System.nanoTime();
                List<String> args = arguments(service, infra, options, extraArgs);
                ConfigurableApplicationContext context = run(service, args);
                synchronized (this) {
                    contexts.put(service, context);
                    arguments.put(service, args);
                }
                // The first context configured Logback for the JVM; the others would only reset it again.
                System.setProperty(LOGGING_SYSTEM, "none");
                if (closed) {
                    throw new IllegalStateException("stopped while starting");
                }
                log.info("{} started on port {} in {} ms", service.name(), port(context),
                        (System.nanoTime() - t0) / 1_000_000);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        } finally {
            if (loggingSystem == null) {
                System.clearProperty(LOGGING_SYSTEM);
            } else {
                System.setProperty(LOGGING_SYSTEM, loggingSystem);
            }
        }
    }

    private static ConfigurableApplicationContext run(Service service, List<String> args) {
        return new SpringApplicationBuilder(service.load())
                .web(WebApplicationType.REACTIVE)
                .bannerMode(Banner.Mode.OFF)
                .registerShutdownHook(false)
                .initializers(Suite::ownNettyResources)
                .run(args.toArray(String[]::new));
    }

    /**
     * Gives a context Reactor Netty event loops and connection pools of its own. By default every
     * context uses Reactor Netty's global resources and disposes them when it closes, which would stop
     * the servers of every other context in this JVM: one service (or a second gateway in a test)
     * could not be stopped alone. Boot's own {@code ReactorResourceFactory} steps aside for this one.
     */
    private static void ownNettyResources(ConfigurableApplicationContext context) {
        if (context instanceof GenericApplicationContext generic) {
            generic.registerBean(ReactorResourceFactory.class, () -> {
                ReactorResourceFactory resources = new ReactorResourceFactory();
                resources.setUseGlobalResources(false);
                // Reactor Netty's default quiet period (2 s) per context made a stop take 2 s per
                // service; the servers are already drained by the graceful shutdown before this
                resources.setShutdownQuietPeriod(Duration.ofMillis(100));
                return resources;
            });
        }
    }

    /**
     * Stops {@code service}'s context and starts a new one with the same arguments on the same port,
     * as a restarted process would come back (tests: a gateway stopped mid-batch). Returns when the
     * new context has started; its health is the caller's to await.
     */
    synchronized void restart(Service service) {
        ConfigurableApplicationContext old = contexts.get(service);
        if (closed || old == null) {
            throw new IllegalStateException(service.name() + " is not running");
        }
        int port = port(old);
        old.close();
        List<String> args = new ArrayList<>(arguments.get(service));
        args.replaceAll(arg -> arg.startsWith("--server.port=") ? "--server.port=" + port : arg);
        String loggingSystem = System.getProperty(LOGGING_SYSTEM);
        System.setProperty(LOGGING_SYSTEM, "none");
        try {
            long t0 = System.nanoTime();
            contexts.put(service, run(service, args));
            log.info("{} restarted on port {} in {} ms", service.name(), port, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            contexts.remove(service);
            throw e;
        } finally {
            if (loggingSystem == null) {
                System.clearProperty(LOGGING_SYSTEM);
            } else {
                System.setProperty(LOGGING_SYSTEM, loggingSystem);
            }
        }
    }

    private static List<String> arguments(Service service, Infrastructure infra, StandaloneOptions options,
            List<String> extraArgs) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("spring.config.location", ServiceConfigLocation.of(service.load()));
        p.put("server.port", String.valueOf(options.ephemeralPorts() ? 0 : service.defaultPort()));
        p.put("server.address", "127.0.0.1");
        p.put("spring.main.web-application-type", "reactive");
        p.put("spring.lifecycle.timeout-per-shutdown-phase", "5s");
        p.put("management.endpoint.health.probes.enabled", "true");
        // One logging system serves all five contexts: a per-application name would be the last one's.
        p.put("logging.include-application-name", "false");
        p.putAll(QUIET_LOGGING);
        infra.springProperties().forEach((name, value) -> {
            boolean database = name.startsWith("spring.datasource.") || name.startsWith("spring.r2dbc.")
                    || name.startsWith("spring.flyway.");
            if (service.usesDatabase() || !database) {
                p.put(name, value);
            }
        });
        if (!service.usesDatabase()) {
            p.put("spring.autoconfigure.exclude", WORKER_EXCLUDES);
        }
        List<String> args = new ArrayList<>();
        p.forEach((name, value) -> args.add("--" + name + "=" + value));
        args.addAll(extraArgs);
        args.addAll(options.serviceArgs());
        return args;
    }

    /** The HTTP port each service listens on, in start order. */
    synchronized Map<Service, Integer> ports() {
        Map<Service, Integer> ports = new LinkedHashMap<>();
        contexts.forEach((service, context) -> ports.put(service, port(context)));
        return Collections.unmodifiableMap(ports);
    }

    synchronized Map<Service, ConfigurableApplicationContext> contexts() {
        return Map.copyOf(contexts);
    }

    private static int port(ConfigurableApplicationContext context) {
        Integer port = context.getEnvironment().getProperty("local.server.port", Integer.class);
        if (port == null) {
            throw new IllegalStateException(context.getId() + " has no web server");
        }
        return port;
    }

    /** Stops the contexts in start order: the gateway stops taking requests before the workers go. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Map.Entry<Service, ConfigurableApplicationContext> e : contexts.entrySet()) {
            try {
                e.getValue().close();
            } catch (RuntimeException ex) {
                log.warn("stopping {} failed: {}", e.getKey().name(), ex.toString());
            }
        }
        contexts.clear();
    }
}
