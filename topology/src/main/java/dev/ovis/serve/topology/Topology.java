package dev.ovis.serve.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The suite as separate processes on this machine: Kafka, PostgreSQL and the S3 store each in a
 * JVM of its own ({@link dev.ovis.serve.infra.InfraServer}), then every replica of every service
 * in a JVM of its own from the service's runnable jar, with the environment
 * {@code docker-compose.yml} gives that service (only addresses, ports, credentials of the
 * embedded servers and the instance id differ). All on 127.0.0.1, each on a free port.
 *
 * <p>{@link #start} returns once every process is ready; members can be killed and started
 * again by name ({@code kafka}, {@code postgres}, {@code s3}, {@code gateway-1}, {@code llm-2}, …),
 * which is what the fault test does. {@link #close()} stops the services, then the servers.
 */
public final class Topology implements AutoCloseable {

    /** The services in start order, as docker-compose.yml names them without {@code -service}. */
    public static final List<String> SERVICES = List.of("gateway", "vision", "llm", "video", "ocr");

    /** Two gateways and two llm workers, one of each other service. */
    public static final Map<String, Integer> DEFAULT_REPLICAS = Map.of(
            "gateway", 2, "vision", 1, "llm", 2, "video", 1, "ocr", 1);

    private static final List<String> INFRA = List.of("kafka", "postgres", "s3");
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    /**
     * @param repository        the repository root (docker-compose.yml, the service jars, the fixture model)
     * @param dataDir           where the servers keep their state and every process its log
     * @param replicas          instances per service (missing: {@link #DEFAULT_REPLICAS})
     * @param environment       added to every service's environment after Compose's (e.g. shorter leases)
     * @param javaOptions       JVM options of every service process
     * @param startTimeout      how long one process may take to become ready
     */
    public record Settings(Path repository, Path dataDir, Map<String, Integer> replicas,
                           Map<String, String> environment, List<String> javaOptions, Duration startTimeout) {

        public Settings {
            replicas = Map.copyOf(replicas);
            environment = Map.copyOf(environment);
            javaOptions = List.copyOf(javaOptions);
            for (String service : replicas.keySet()) {
                if (!SERVICES.contains(service)) {
                    throw new IllegalArgumentException("unknown service " + service + "; services: " + SERVICES);
                }
            }
            replicas.forEach((service, n) -> {
                if (n < 0) {
                    throw new IllegalArgumentException(service + ": negative replica count " + n);
                }
            });
            if (replicas.getOrDefault("gateway", 1) < 1) {
                throw new IllegalArgumentException("at least one gateway: it is the only way in");
            }
        }

        int replicasOf(String service) {
            return replicas.getOrDefault(service, DEFAULT_REPLICAS.get(service));
        }
    }

    /** One process of the topology and how to tell it is ready. */
    public record Member(String name, String service, int port, ManagedProcess process) {

        public long pid() {
            return process.pid();
        }

        public Path log() {
            return process.log();
        }
    }

    private final Settings settings;
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String apiKey = randomKey();
    private final String adminKey = randomKey();
    private String kafka;
    private String jdbcUrl;
    private String dbUser;
    private String dbPassword;
    private String s3;

    private Topology(Settings settings) {
        this.settings = settings;
    }

    /** Starts the servers, then the first gateway, then every other replica together. */
    public static Topology start(Settings settings) {
        Topology topology = new Topology(settings);
        try {
            topology.startAll();
            return topology;
        } catch (RuntimeException e) {
            topology.close();
            throw e;
        }
    }

    private void startAll() {
        ComposeFile compose = ComposeFile.read(settings.repository().resolve("docker-compose.yml"));
        int kafkaPort = freePort();
        add(infraMember("kafka", kafkaPort, "--controller-port=" + freePort()));
        add(infraMember("postgres", freePort()));
        add(infraMember("s3", freePort()));
        INFRA.forEach(name -> members.get(name).process().start());
        INFRA.forEach(name -> awaitReady(members.get(name)));
        List<Member> services = new ArrayList<>();
        for (String service : SERVICES) {
            for (int i = 1; i <= settings.replicasOf(service); i++) {
                services.add(serviceMember(compose, service, service + "-" + i, freePort()));
            }
        }
        services.forEach(this::add);
        // The first gateway alone: it migrates the database. Then every other replica together.
        Member first = services.getFirst();
        first.process().start();
        awaitReady(first);
        List<Member> rest = services.subList(1, services.size());
        rest.forEach(m -> m.process().start());
        awaitAll(rest);
    }

    private void add(Member member) {
        members.put(member.name(), member);
    }

    private Member infraMember(String kind, int port, String... options) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(List.of(kind.equals("kafka") ? "-Xmx512m" : "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1"));
        command.addAll(JavaCommand.mainClass("dev.ovis.serve.infra.InfraServer"));
        command.addAll(List.of(kind, "--data-dir=" + settings.dataDir().resolve(kind), "--port=" + port));
        command.addAll(List.of(options));
        return new Member(kind, kind, port, new ManagedProcess(kind, command, Map.of(), logOf(kind)));
    }

    private Member serviceMember(ComposeFile compose, String service, String name, int port) {
        String composeName = service + "-service";
        Map<String, String> variables = Map.of(
                "OVIS_S3_ACCESS_KEY", s3AccessKey(), "OVIS_S3_SECRET_KEY", s3SecretKey(),
                "OVIS_DB_PASSWORD", dbPassword,
                "OVIS_MODEL_DIR", settings.repository().resolve("fixtures/tiny-ovis2").toString(),
                "OVIS_API_KEYS_JSON", "{\"ovis\":{\"gateway\":{\"auth\":{\"keys\":{\"" + apiKey + "\":\"default\"}}}}}",
                "OVIS_ADMIN_KEY", adminKey);
        Map<String, String> env = new LinkedHashMap<>();
        compose.environment(composeName, variables::get).forEach((key, value) -> env.put(key, value
                .replace("kafka:9092", kafka)
                .replace("http://minio:9000", s3)
                .replace("jdbc:postgresql://postgres:5432/ovis", jdbcUrl)));
        // Where this topology differs from Compose's network: loopback only, a port per replica,
        // the embedded PostgreSQL's user, an id per gateway; the image's own setting for keys.
        env.put("SERVER_ADDRESS", "127.0.0.1");
        env.put("SERVER_PORT", String.valueOf(port));
        if (env.containsKey("SPRING_DATASOURCE_USERNAME")) {
            env.put("SPRING_DATASOURCE_USERNAME", dbUser);
        }
        if (service.equals("gateway")) {
            env.put("OVIS_GATEWAY_INSTANCEID", name);
            env.put("OVIS_GATEWAY_AUTH_GENERATEKEY", "false");
        }
        env.putAll(settings.environment());
        List<String> command = new ArrayList<>();
        command.add(java());
        long memory = compose.memoryLimit(composeName);
        if (memory > 0) {
            command.add("-Xmx" + (memory * 3 / 4 >> 20) + "m"); // the image's MaxRAMPercentage=75 of its mem_limit
        }
        command.addAll(List.of("-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED"));
        command.addAll(settings.javaOptions());
        command.addAll(List.of("-jar", serviceJar(composeName).toString()));
        return new Member(name, service, port, new ManagedProcess(name, command, env, logOf(name)));
    }

    private Path serviceJar(String module) {
        Path target = settings.repository().resolve(module).resolve("target");
        try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            return files.filter(p -> p.getFileName().toString().matches(module + "-[0-9].*-exec\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no runnable jar in " + target
                            + ": build it with ./mvnw -pl topology -am package -Dmaven.test.skip=true"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path logOf(String name) {
        return settings.dataDir().resolve("logs").resolve(name + ".log");
    }

    // --- running it --------------------------------------------------------------------------

    public Member member(String name) {
        Member member = members.get(name);
        if (member == null) {
            throw new IllegalArgumentException("no member " + name + "; members: " + members.keySet());
        }
        return member;
    }

    public List<Member> members() {
        return List.copyOf(members.values());
    }

    /** SIGKILL, without starting it again. */
    public void kill(String name) {
        member(name).process().kill();
    }

    /** Starts a stopped or killed member again, on its port and data, and waits until it is ready. */
    public void startAgain(String name) {
        Member member = member(name);
        member.process().start();
        awaitReady(member);
    }

    /** SIGTERM (a clean stop: a worker leaves its consumer group at once), without starting it again. */
    public void stop(String name) {
        member(name).process().stop(STOP_GRACE);
    }

    /** SIGTERM (a clean stop), then the same member again. */
    public void restart(String name) {
        member(name).process().stop(STOP_GRACE);
        startAgain(name);
    }

    public List<String> gatewayUrls() {
        return members.values().stream().filter(m -> m.service().equals("gateway"))
                .map(m -> "http://127.0.0.1:" + m.port()).toList();
    }

    public String apiKey() {
        return apiKey;
    }

    public String adminKey() {
        return adminKey;
    }

    public String kafkaBootstrapServers() {
        return kafka;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String dbUser() {
        return dbUser;
    }

    public String dbPassword() {
        return dbPassword;
    }

    public String s3Endpoint() {
        return s3;
    }

    private static String s3AccessKey() {
        return "minioadmin";
    }

    private static String s3SecretKey() {
        return "minioadmin";
    }

    // --- readiness ---------------------------------------------------------------------------

    /** Waits for each in turn: all started together, so this takes as long as the slowest. */
    private void awaitAll(List<Member> group) {
        group.forEach(this::awaitReady);
    }

    private void awaitReady(Member member) {
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        while (!ready(member)) {
            if (!member.process().isAlive()) {
                throw new IllegalStateException(member.name() + " exited while starting; its log "
                        + member.log() + " ends:\n" + member.process().outputTail(30));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(member.name() + " not ready within " + settings.startTimeout()
                        + "; its log " + member.log() + " ends:\n" + member.process().outputTail(30));
            }
            sleep(Duration.ofMillis(250));
        }
    }

    private boolean ready(Member member) {
        if (INFRA.contains(member.name())) {
            return infraReady(member);
        }
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + member.port() + "/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + member.name(), e);
        }
    }

    /** The server's ready line; it must name the address the topology gave it (clients keep that one). */
    private boolean infraReady(Member member) {
        String line = member.process().output().lines().filter(l -> l.startsWith("ovis-infra ready " + member.name()))
                .findFirst().orElse(null);
        if (line == null) {
            return false;
        }
        String[] words = line.split(" ");
        String address = words[3];
        if (!address.contains(":" + member.port())) {
            throw new IllegalStateException(member.name() + " listens on " + address + ", not on port " + member.port()
                    + " (taken meanwhile?)");
        }
        switch (member.name()) {
            case "kafka" -> kafka = address;
            case "postgres" -> {
                jdbcUrl = address;
                dbUser = words[4];
                dbPassword = words[5];
            }
            default -> s3 = address;
        }
        return true;
    }

    // --- stopping ----------------------------------------------------------------------------

    /** Stops the services (all at once, SIGTERM, then SIGKILL after 30 s), then S3, Kafka and PostgreSQL. */
    @Override
    public void close() {
        List<Member> services = members.values().stream().filter(m -> !INFRA.contains(m.name())).toList();
        services.forEach(m -> m.process().signalStop());
        services.forEach(m -> m.process().stop(STOP_GRACE));
        for (String name : List.of("s3", "kafka", "postgres")) {
            Member member = members.get(name);
            if (member != null) {
                member.process().stop(STOP_GRACE);
            }
        }
    }

    // --- small things ------------------------------------------------------------------------

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    private static String randomKey() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
