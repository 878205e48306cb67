package dev.ovis.serve.standalone;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the standalone run is started, from its command line and environment.
 *
 * <ul>
 *   <li>{@code --data-dir=PATH} (or {@code OVIS_DATA_DIR}): where Kafka, PostgreSQL and the object
 *       store keep their data across runs; default {@code .ovis-local} in the working directory.</li>
 *   <li>{@code --temporary}: no data directory; everything is deleted on exit.</li>
 *   <li>{@code --ephemeral-ports}: every service, and Kafka, on a free port instead of 8080–8084 and 9092.</li>
 *   <li>{@code --kafka-port=PORT}: where the embedded Kafka listens for pipelines (default 9092).</li>
 *   <li>{@code --health-timeout=SECONDS}: how long to wait for every service to report UP (default 120).</li>
 *   <li>any other {@code --name=value}: a Spring property given to every service.</li>
 * </ul>
 *
 * @param dataDir        null for a temporary run
 * @param ephemeralPorts true to let the OS pick every HTTP port
 * @param healthTimeout  how long to wait for the suite to become healthy
 * @param serviceArgs    arguments passed to every service (highest precedence)
 * @param kafkaPort      the embedded broker's port, 0 for a free one
 */
record StandaloneOptions(Path dataDir, boolean ephemeralPorts, Duration healthTimeout, List<String> serviceArgs,
                         int kafkaPort) {

    static final Path DEFAULT_DATA_DIR = Path.of(".ovis-local");
    /** Kafka's usual port, so a pipeline on this machine finds the local run's broker where it expects one. */
    static final int DEFAULT_KAFKA_PORT = 9092;

    StandaloneOptions(Path dataDir, boolean ephemeralPorts, Duration healthTimeout, List<String> serviceArgs) {
        this(dataDir, ephemeralPorts, healthTimeout, serviceArgs, ephemeralPorts ? 0 : DEFAULT_KAFKA_PORT);
    }

    StandaloneOptions {
        serviceArgs = List.copyOf(serviceArgs);
    }

    static StandaloneOptions parse(String[] args, Map<String, String> env) {
        Path dataDir = env.containsKey("OVIS_DATA_DIR") ? Path.of(env.get("OVIS_DATA_DIR")) : DEFAULT_DATA_DIR;
        boolean ephemeral = false;
        Integer kafkaPort = null;
        Duration healthTimeout = Duration.ofSeconds(120);
        List<String> serviceArgs = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--data-dir=")) {
                dataDir = Path.of(arg.substring("--data-dir=".length()));
            } else if (arg.equals("--temporary")) {
                dataDir = null;
            } else if (arg.equals("--ephemeral-ports")) {
                ephemeral = true;
            } else if (arg.startsWith("--kafka-port=")) {
                kafkaPort = Integer.parseInt(arg.substring("--kafka-port=".length()));
            } else if (arg.startsWith("--health-timeout=")) {
                healthTimeout = Duration.ofSeconds(Long.parseLong(arg.substring("--health-timeout=".length())));
            } else if (arg.startsWith("--") && arg.contains("=")) {
                serviceArgs.add(arg);
            } else {
                throw new IllegalArgumentException("unknown argument '" + arg
                        + "' (expected --data-dir=PATH, --temporary, --ephemeral-ports, --kafka-port=PORT, --health-timeout=SECONDS"
                        + " or --spring.property=value)");
            }
        }
        return new StandaloneOptions(dataDir, ephemeral, healthTimeout, serviceArgs,
                kafkaPort != null ? kafkaPort : ephemeral ? 0 : DEFAULT_KAFKA_PORT);
    }

    boolean configuresApiKeys() {
        return serviceArgs.stream().anyMatch(a -> a.startsWith("--ovis.gateway.auth.keys"));
    }

    /** Whether the admin keys (metrics, traces) are given on the command line: then none is generated. */
    boolean configuresAdminKeys() {
        return serviceArgs.stream().anyMatch(a -> a.startsWith("--ovis.gateway.auth.admin-keys"));
    }
}
