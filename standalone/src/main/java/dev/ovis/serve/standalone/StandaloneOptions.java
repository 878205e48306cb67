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
 *   <li>{@code --ephemeral-ports}: every service on a free port instead of 8080–8084.</li>
 *   <li>{@code --health-timeout=SECONDS}: how long to wait for every service to report UP (default 120).</li>
 *   <li>any other {@code --name=value}: a Spring property given to every service.</li>
 * </ul>
 *
 * @param dataDir        null for a temporary run
 * @param ephemeralPorts true to let the OS pick every HTTP port
 * @param healthTimeout  how long to wait for the suite to become healthy
 * @param serviceArgs    arguments passed to every service (highest precedence)
 */
record StandaloneOptions(Path dataDir, boolean ephemeralPorts, Duration healthTimeout, List<String> serviceArgs) {

    static final Path DEFAULT_DATA_DIR = Path.of(".ovis-local");

    StandaloneOptions {
        serviceArgs = List.copyOf(serviceArgs);
    }

    static StandaloneOptions parse(String[] args, Map<String, String> env) {
        Path dataDir = env.containsKey("OVIS_DATA_DIR") ? Path.of(env.get("OVIS_DATA_DIR")) : DEFAULT_DATA_DIR;
        boolean ephemeral = false;
        Duration healthTimeout = Duration.ofSeconds(120);
        List<String> serviceArgs = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--data-dir=")) {
                dataDir = Path.of(arg.substring("--data-dir=".length()));
            } else if (arg.equals("--temporary")) {
                dataDir = null;
            } else if (arg.equals("--ephemeral-ports")) {
                ephemeral = true;
            } else if (arg.startsWith("--health-timeout=")) {
                healthTimeout = Duration.ofSeconds(Long.parseLong(arg.substring("--health-timeout=".length())));
            } else if (arg.startsWith("--") && arg.contains("=")) {
                serviceArgs.add(arg);
            } else {
                throw new IllegalArgumentException("unknown argument '" + arg
                        + "' (expected --data-dir=PATH, --temporary, --ephemeral-ports, --health-timeout=SECONDS"
                        + " or --spring.property=value)");
            }
        }
        return new StandaloneOptions(dataDir, ephemeral, healthTimeout, serviceArgs);
    }

    boolean configuresApiKeys() {
        return serviceArgs.stream().anyMatch(a -> a.startsWith("--ovis.gateway.auth.keys"));
    }

    /** Whether the admin keys (metrics, traces) are given on the command line: then none is generated. */
    boolean configuresAdminKeys() {
        return serviceArgs.stream().anyMatch(a -> a.startsWith("--ovis.gateway.auth.admin-keys"));
    }
}
