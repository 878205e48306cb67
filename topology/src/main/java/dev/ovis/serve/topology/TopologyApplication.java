package dev.ovis.serve.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the multi-process topology, prints where everything is, and stops it on SIGTERM or
 * Ctrl-C. {@code tools/topology/run-topology.sh} runs it; its options:
 * {@code --gateway=N --vision=N --llm=N --video=N --ocr=N} (replicas), {@code --data-dir=DIR}
 * (default {@code .ovis-topology}), {@code --start-timeout=SECONDS},
 * {@code --env=NAME=VALUE} (added to every service's environment, repeatable).
 */
public final class TopologyApplication {

    private TopologyApplication() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, Integer> replicas = new LinkedHashMap<>(Topology.DEFAULT_REPLICAS);
        Map<String, String> environment = new LinkedHashMap<>();
        Path repository = Path.of(System.getProperty("ovis.repository", ".")).toAbsolutePath().normalize();
        Path dataDir = repository.resolve(".ovis-topology");
        Duration startTimeout = Duration.ofMinutes(3);
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                fail("not an option: " + arg);
            }
            String name = arg.substring(2, eq);
            String value = arg.substring(eq + 1);
            if (Topology.SERVICES.contains(name)) {
                replicas.put(name, number(name, value));
            } else if (name.equals("data-dir")) {
                dataDir = Path.of(value).toAbsolutePath();
            } else if (name.equals("start-timeout")) {
                startTimeout = Duration.ofSeconds(number(name, value));
            } else if (name.equals("env") && value.indexOf('=') > 0) {
                environment.put(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
            } else {
                fail("unknown option " + arg);
            }
        }
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dataDir, e);
        }
        List<String> javaOptions = new ArrayList<>(List.of(
                System.getenv().getOrDefault("OVIS_TOPOLOGY_JAVA_OPTS", "-XX:+UseSerialGC -Xss512k").split("\\s+")));
        javaOptions.removeIf(String::isBlank);
        Topology.Settings settings = new Topology.Settings(repository, dataDir, replicas, environment, javaOptions,
                startTimeout);

        CountDownLatch stopped = new CountDownLatch(1);
        Topology[] running = {null};
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping the topology...");
            synchronized (running) {
                if (running[0] != null) {
                    running[0].close();
                }
            }
            stopped.countDown();
        }, "ovis-topology-stop"));
        System.out.println("Starting Kafka, PostgreSQL, S3 and " + replicas + " (logs: " + dataDir.resolve("logs") + ")");
        long t0 = System.nanoTime();
        Topology topology = Topology.start(settings);
        synchronized (running) {
            running[0] = topology;
        }
        print(topology, (System.nanoTime() - t0) / 1_000_000_000);
        stopped.await();
    }

    private static void print(Topology topology, long seconds) {
        System.out.println("Topology ready in " + seconds + " s:");
        System.out.printf("  %-10s %-8s %s%n", "member", "pid", "address");
        for (Topology.Member m : topology.members()) {
            String address = switch (m.name()) {
                case "kafka" -> topology.kafkaBootstrapServers();
                case "postgres" -> topology.jdbcUrl() + " (user " + topology.dbUser() + ")";
                case "s3" -> topology.s3Endpoint();
                default -> "http://127.0.0.1:" + m.port();
            };
            System.out.printf("  %-10s %-8d %s%n", m.name(), m.pid(), address);
        }
        System.out.println("  API key:   " + topology.apiKey());
        System.out.println("  admin key: " + topology.adminKey() + " (the gateways' /actuator)");
        System.out.println("Try: curl -H 'Authorization: Bearer " + topology.apiKey() + "' "
                + topology.gatewayUrls().getFirst() + "/v1/models");
        System.out.println("Ctrl-C (or SIGTERM) stops everything.");
    }

    private static int number(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            fail("--" + name + " needs a number, not " + value);
            return 0;
        }
    }

    private static void fail(String problem) {
        System.err.println("topology: " + problem);
        System.exit(2);
    }
}
