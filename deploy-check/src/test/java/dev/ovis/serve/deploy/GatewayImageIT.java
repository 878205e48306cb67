package dev.ovis.serve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovis.serve.infra.Infrastructure;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Builds the gateway's OCI image with {@code tools/image/build-image.sh} (no Docker daemon), checks
 * it with skopeo (layers, entrypoint, user, labels, size), unpacks it with umoci into a runtime
 * bundle and runs that bundle with runc, the OCI runtime under containerd and CRI-O: entrypoint,
 * environment, working directory and user are the image's; the root filesystem is read-only with a
 * tmpfs on /tmp, as in the Kubernetes manifests. The container shares the host's network so it
 * reaches the in-process Kafka, PostgreSQL and S3 on 127.0.0.1. Passes when the readiness probe
 * answers, the image's HealthCheck client agrees, and a configured API key (never a generated one)
 * opens the API. Needs root (runc, umoci), mmdebstrap, umoci, skopeo and runc
 * (tools/setup-machine.sh) and the Debian mirror.
 */
class GatewayImageIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TAG = "it";
    private static final String API_KEY = "ovis-It_Key-" + UUID.randomUUID();
    /** Compressed layers: Debian libraries, the jlink'ed runtime, the jar; well under a JDK image. */
    private static final long MAX_IMAGE_BYTES = 200L * 1024 * 1024;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void gatewayImageBuildsAndBootsFromItsRootFilesystem() throws Exception {
        assumeTools();
        Path repo = RepositoryFiles.root();
        Path work = Path.of("target", "gateway-image").toAbsolutePath();
        deleteRecursively(work);
        Files.createDirectories(work);
        Path jar = gatewayJar(repo);

        // given: the image, built as a user would build it
        long t0 = System.nanoTime();
        run(repo, work.resolve("build.log"), Duration.ofMinutes(5), "bash", "tools/image/build-image.sh",
                "--jar", jar.toString(), "--tag", TAG, "--out", work.resolve("oci").toString(), "gateway-service");
        System.out.printf("image built in %d s%n", (System.nanoTime() - t0) / 1_000_000_000L);
        String layout = work.resolve("oci/gateway-service") + ":" + TAG;   // umoci's form
        String ref = "oci:" + layout;                                         // skopeo's

        // then: what skopeo reads from it
        JsonNode config = JSON.readTree(output(repo, "skopeo", "inspect", "--config", ref)).path("config");
        assertThat(config.path("User").asText()).isEqualTo("10001:10001");
        assertThat(texts(config.path("Entrypoint"))).startsWith("/opt/java/bin/java").endsWith("-jar", "/app/app.jar");
        assertThat(config.path("WorkingDir").asText()).isEqualTo("/app");
        assertThat(texts(config.path("Env"))).contains("OVIS_GATEWAY_AUTH_GENERATEKEY=false", "HOME=/tmp", "SERVER_PORT=8080");
        assertThat(config.path("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(config.path("Labels").path("org.opencontainers.image.title").asText()).isEqualTo("ovis-serve/gateway-service");
        assertThat(config.path("Labels").has("org.opencontainers.image.revision")).isTrue();
        JsonNode manifest = JSON.readTree(output(repo, "skopeo", "inspect", "--raw", ref));
        List<Long> layers = new ArrayList<>();
        manifest.path("layers").forEach(l -> layers.add(l.path("size").asLong()));
        assertThat(layers).as("Debian, JRE and application layers").hasSize(3);
        long total = layers.stream().mapToLong(Long::longValue).sum();
        System.out.printf("layers %s, %d MiB compressed%n", layers, total >> 20);
        assertThat(total).isLessThan(MAX_IMAGE_BYTES);

        // when: unpacked into a runtime bundle and run as containerd or CRI-O would run it
        Path bundle = work.resolve("bundle");
        run(repo, work.resolve("unpack.log"), Duration.ofMinutes(2), "umoci", "unpack", "--image", layout, bundle.toString());
        Infrastructure infra = SharedInfrastructure.get();
        int port = freePort();
        ObjectNode spec = (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
        assertThat(spec.at("/process/user/uid").asInt()).isEqualTo(10001);
        assertThat(spec.at("/process/cwd").asText()).isEqualTo("/app");
        assertThat(texts(spec.at("/process/args"))).isEqualTo(texts(config.path("Entrypoint")));
        asRuntimeWouldWithHostNetwork(spec, infra, port);
        JSON.writerWithDefaultPrettyPrinter().writeValue(bundle.resolve("config.json").toFile(), spec);

        String id = "ovis-gateway-it-" + ProcessHandle.current().pid();
        Path log = work.resolve("container.log");
        Process container = new ProcessBuilder("runc", "run", "--bundle", bundle.toString(), id)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://127.0.0.1:" + port;
            awaitReady(http, base + "/actuator/health/readiness", container, log, Duration.ofMinutes(3));

            // then: the image's own health-check client agrees, run inside the container as compose runs it
            Process check = new ProcessBuilder("runc", "exec", id, "/opt/java/bin/java", "-cp", "/app/health",
                    "HealthCheck", base + "/actuator/health/readiness").redirectErrorStream(true).start();
            String checkOut = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue()).as(checkOut).isZero();
            // the service runs as the image's user, not root
            long pid = JSON.readTree(output(repo, "runc", "state", id)).path("pid").asLong();
            assertThat(Files.readAllLines(Path.of("/proc/" + pid + "/status")))
                    .anySatisfy(line -> assertThat(line).matches("Uid:\\s+10001\\s+10001.*"));
            // the configured key opens the API; nothing else does (no key was generated)
            assertThat(get(http, base + "/v1/models", API_KEY)).isEqualTo(200);
            assertThat(get(http, base + "/v1/models", "ovis-guess")).isEqualTo(401);
            assertThat(Files.readString(log)).doesNotContain("generated API key");
        } finally {
            new ProcessBuilder("runc", "kill", id, "TERM").start().waitFor(10, TimeUnit.SECONDS);
            if (!container.waitFor(60, TimeUnit.SECONDS)) {
                new ProcessBuilder("runc", "kill", id, "KILL").start().waitFor(10, TimeUnit.SECONDS);
                container.waitFor(20, TimeUnit.SECONDS);
            }
            new ProcessBuilder("runc", "delete", "--force", id).start().waitFor(20, TimeUnit.SECONDS);
        }
    }

    /**
     * What a runtime adds to the image's bundle: a read-only root with a tmpfs on /tmp (the
     * manifests' emptyDir), the host's /etc/hosts and /etc/resolv.conf, and the deployment's
     * environment, here the infrastructure's addresses and the API key. No network namespace: the
     * infrastructure listens on the host's loopback.
     */
    private static void asRuntimeWouldWithHostNetwork(ObjectNode spec, Infrastructure infra, int port) {
        ((ObjectNode) spec.path("process")).put("terminal", false);
        ((ObjectNode) spec.path("root")).put("readonly", true);
        ArrayNode namespaces = (ArrayNode) spec.at("/linux/namespaces");
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            if ("network".equals(namespaces.get(i).path("type").asText())) {
                namespaces.remove(i);
            }
        }
        ArrayNode mounts = (ArrayNode) spec.path("mounts");
        mounts.addObject().put("destination", "/tmp").put("type", "tmpfs").put("source", "tmpfs")
                .set("options", JSON.valueToTree(List.of("nosuid", "nodev", "mode=1777", "size=512m")));
        for (String file : List.of("/etc/hosts", "/etc/resolv.conf")) {
            if (Files.exists(Path.of(file))) {
                mounts.addObject().put("destination", file).put("type", "bind").put("source", file)
                        .set("options", JSON.valueToTree(List.of("rbind", "ro")));
            }
        }
        Map<String, String> env = new java.util.LinkedHashMap<>();
        infra.springProperties().forEach((k, v) -> env.put(k.toUpperCase(Locale.ROOT).replace('.', '_').replace("-", ""), v));
        env.put("SERVER_PORT", String.valueOf(port));
        env.put("SPRING_APPLICATION_JSON", "{\"ovis\":{\"gateway\":{\"auth\":{\"keys\":{\"" + API_KEY + "\":\"it\"}}}}}");
        env.put("JAVA_TOOL_OPTIONS", "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        ArrayNode list = (ArrayNode) spec.at("/process/env");
        for (int i = list.size() - 1; i >= 0; i--) {
            String name = list.get(i).asText().split("=", 2)[0];
            if (env.containsKey(name)) {
                list.remove(i);
            }
        }
        env.forEach((k, v) -> list.add(k + "=" + v));
    }

    private static void awaitReady(HttpClient http, String url, Process container, Path log, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!container.isAlive()) {
                throw new AssertionError("the container exited (" + container.exitValue() + "):\n" + tail(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not ready within " + timeout + ":\n" + tail(log));
    }

    private static int get(HttpClient http, String url, String key) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void assumeTools() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "GatewayImageIT runs the image with runc and umoci as root; skipped for user " + System.getProperty("user.name"));
        for (String tool : List.of("mmdebstrap", "umoci", "skopeo", "runc")) {
            boolean found = Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
            Assumptions.assumeTrue(found, tool + " is missing: bash tools/setup-machine.sh installs it");
        }
    }

    private static Path gatewayJar(Path repo) throws IOException {
        try (Stream<Path> files = Files.list(repo.resolve("gateway-service/target"))) {
            return files.filter(p -> p.getFileName().toString().matches("gateway-service-[0-9].*-exec\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no gateway-service jar: package gateway-service first"));
        }
    }

    private static void run(Path dir, Path log, Duration timeout, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " took over " + timeout + ":\n" + tail(log));
        }
        assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + tail(log)).isZero();
    }

    private static String output(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command)).isZero();
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no output)";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static int freePort() throws IOException {
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
