package dev.ovis.serve.standalone;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./run-local.sh}: the whole suite in one JVM — Kafka, PostgreSQL and an S3 store
 * in-process, then the gateway (:8080) and the vision, llm, video and OCR services (:8081–8084),
 * each in its own Spring context. Prints one ready line with the URLs and the API key once every
 * service reports UP; Ctrl-C stops everything, the database processes included.
 */
public final class StandaloneApplication {

    private static final Logger log = LoggerFactory.getLogger(StandaloneApplication.class);

    private StandaloneApplication() {
    }

    public static void main(String[] args) throws InterruptedException {
        quietInfrastructureLogs();
        long t0 = System.nanoTime();
        StandaloneOptions options;
        try {
            options = StandaloneOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        StandaloneRun run = new StandaloneRun();
        // Registered before anything starts, so Ctrl-C during start-up stops what is already up.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("ovis-standalone-shutdown").unstarted(() -> {
            System.out.println("Stopping Ovis Serve...");
            run.close();
            System.out.println("Ovis Serve stopped.");
        }));
        try {
            run.start(options, null);
        } catch (RuntimeException e) {
            log.error("Ovis Serve did not start", e);
            System.exit(1);
            return;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        String urls = run.ports().entrySet().stream()
                .map(e -> e.getKey().name() + " http://127.0.0.1:" + e.getValue())
                .collect(Collectors.joining(", "));
        System.out.printf("%nOvis Serve is ready in %.1f s: %s (data: %s). Ctrl-C stops it.%n",
                took.toMillis() / 1000.0, urls,
                options.dataDir() == null ? "temporary" : options.dataDir().toAbsolutePath().normalize());
        if (run.apiKey() != null) {
            System.out.printf("API key (tenant default): %s   e.g. curl -H 'Authorization: Bearer %s' %s/v1/jobs%n",
                    run.apiKey(), run.apiKey(), run.gatewayUrl());
        }
        System.out.printf("Kafka (pipelines, docs/batch.md): %s%n", run.infrastructure().kafkaBootstrapServers());
        System.out.printf("Playground: %s/playground   Metrics: %s/actuator/prometheus   Traces: %s/actuator/traces%n",
                run.gatewayUrl(), run.gatewayUrl(), run.gatewayUrl());
        if (run.adminKey() != null) {
            System.out.printf("Admin key (metrics, traces): %s   e.g. curl -H 'Authorization: Bearer %s' %s/actuator/traces%n%n",
                    run.adminKey(), run.adminKey(), run.gatewayUrl());
        } else {
            System.out.println("(metrics and traces need one of the configured ovis.gateway.auth.admin-keys)");
            System.out.println();
        }
    }

    /** Until Spring Boot configures logging, Logback's default would print the brokers' DEBUG lines. */
    private static void quietInfrastructureLogs() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
            logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
            Map.of("kafka", Level.WARN, "org.apache.kafka", Level.WARN, "state.change.logger", Level.WARN,
                    "org.gaul", Level.WARN, "io.zonky", Level.WARN)
                    .forEach((name, level) -> logback.getLogger(name).setLevel(level));
        }
    }
}
