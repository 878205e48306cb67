package dev.ovis.serve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml keeps its promises: infrastructure with volumes and health checks, every
 * service hardened and health-checked, no fixed host port on a worker (so {@code --scale} works),
 * GPU reservations under the gpu profile and Prometheus/Grafana under monitoring. Read with
 * SnakeYAML, merge keys resolved as Compose resolves them; also checked by {@code docker-compose
 * config} with every profile where Debian's docker-compose is installed.
 */
class ComposeFileTests {

    private static final List<String> SERVICES = List.of("gateway-service", "vision-service", "llm-service",
            "video-service", "ocr-service");
    private static Map<String, Object> compose;
    private static Map<String, Map<String, Object>> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        compose = new Yaml().load(Files.readString(RepositoryFiles.resolve("docker-compose.yml")));
        services = (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void infrastructureIsKraftKafkaMinioPostgresWithVolumesAndHealthChecks() {
        assertThat(services).containsKeys("kafka", "minio", "postgres");
        assertThat(env("kafka")).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
                .doesNotContainKey("KAFKA_ZOOKEEPER_CONNECT");
        Map<String, Object> volumes = map(compose.get("volumes"));
        for (String infra : List.of("kafka", "minio", "postgres")) {
            assertThat(services.get(infra)).as(infra).containsKeys("healthcheck", "mem_limit");
            List<?> mounts = list(services.get(infra).get("volumes"));
            assertThat(mounts).as(infra + " keeps its data in a named volume")
                    .anySatisfy(m -> assertThat(volumes).containsKey(m.toString().split(":")[0]));
        }
    }

    @Test
    void everyServiceIsHardenedHealthCheckedAndOnlyTheGatewayIsPublished() {
        for (Map.Entry<String, Map<String, Object>> e : services.entrySet()) {
            if (!e.getKey().endsWith("-service") && !e.getKey().endsWith("-service-gpu")) {
                continue;
            }
            Map<String, Object> s = e.getValue();
            String name = e.getKey();
            assertThat(s).as(name).containsKeys("image", "healthcheck", "mem_limit").doesNotContainKey("container_name");
            assertThat(s.get("read_only")).as(name).isEqualTo(true);
            assertThat(list(s.get("cap_drop"))).as(name).containsExactly("ALL");
            assertThat(s.get("tmpfs").toString()).as(name + " writable /tmp").contains("/tmp");
            assertThat(s.get("healthcheck").toString()).as(name).contains("HealthCheck", "/actuator/health/readiness");
            assertThat(map(s.get("depends_on")).keySet()).as(name).contains("kafka", "minio");
            if (name.equals("gateway-service")) {
                assertThat(list(s.get("ports"))).singleElement().asString().startsWith("127.0.0.1:");
            } else {
                assertThat(s).as(name + " must scale: no host port").doesNotContainKey("ports");
            }
        }
        assertThat(services).containsKeys(SERVICES.toArray(String[]::new));
        for (String name : SERVICES) {
            assertThat(services.get(name)).as(name + " starts without a profile").doesNotContainKey("profiles");
        }
    }

    @Test
    void gatewayTakesItsKeyFromTheEnvironmentAndNeverGeneratesOne() {
        assertThat(env("gateway-service").get("SPRING_APPLICATION_JSON")).isEqualTo("${OVIS_API_KEYS_JSON:-}");
        assertThat(env("gateway-service")).doesNotContainKey("OVIS_GATEWAY_AUTH_GENERATEKEY");
    }

    @Test
    @SuppressWarnings("unchecked")
    void gpuProfileReservesOneGpuForVisionAndLlm() {
        List<String> gpu = services.entrySet().stream()
                .filter(e -> (list(e.getValue().getOrDefault("profiles", List.of()))).contains("gpu"))
                .map(Map.Entry::getKey).toList();
        assertThat(gpu).containsExactlyInAnyOrder("vision-service-gpu", "llm-service-gpu");
        for (String name : gpu) {
            Map<String, Object> resources = (Map<String, Object>) ((Map<String, Object>) services.get(name).get("deploy")).get("resources");
            List<Map<String, Object>> devices = (List<Map<String, Object>>) ((Map<String, Object>) resources.get("reservations")).get("devices");
            assertThat(devices).singleElement().satisfies(d -> {
                assertThat(d).containsEntry("driver", "nvidia").containsEntry("count", 1);
                assertThat(list(d.get("capabilities"))).containsExactly("gpu");
            });
            assertThat(services.get(name).get("image").toString()).endsWith("-gpu");
        }
    }

    @Test
    void monitoringProfileRunsPrometheusAndGrafanaOnTheRepositorysConfiguration() {
        for (String name : List.of("prometheus", "grafana")) {
            assertThat(list(services.get(name).get("profiles"))).as(name).containsExactly("monitoring");
            assertThat(services.get(name)).as(name).containsKey("healthcheck");
        }
        assertThat(list(services.get("prometheus").get("volumes"))).map(Object::toString)
                .anyMatch(v -> v.startsWith("./monitoring/prometheus/prometheus.yml:"));
        assertThat(list(services.get("grafana").get("volumes"))).map(Object::toString)
                .anyMatch(v -> v.startsWith("./monitoring/grafana/provisioning:"))
                .anyMatch(v -> v.startsWith("./monitoring/grafana/dashboards:"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusFindsEveryServiceByItsComposeNameAndScrapesTheGatewayWithItsAdminKey() throws IOException {
        Map<String, Object> prometheus = new Yaml().load(Files.readString(
                RepositoryFiles.resolve("monitoring/prometheus/prometheus.yml")));
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) prometheus.get("scrape_configs");
        List<String> names = jobs.stream().flatMap(job -> list(job.get("dns_sd_configs")).stream())
                .flatMap(sd -> list(map(sd).get("names")).stream()).map(Object::toString).toList();
        // every name is a compose service (a misspelt one would silently scrape nothing), and every
        // ovis service is scraped, in its gpu variant too
        assertThat(services.keySet()).containsAll(names);
        assertThat(names).containsAll(SERVICES).contains("vision-service-gpu", "llm-service-gpu");
        Map<String, Object> gateway = jobs.stream()
                .filter(job -> list(job.get("dns_sd_configs")).stream()
                        .anyMatch(sd -> list(map(sd).get("names")).contains("gateway-service")))
                .findFirst().orElseThrow();
        String keyFile = map(gateway.get("authorization")).get("credentials_file").toString();
        // the key Prometheus sends is the one the gateway opens its actuator with
        assertThat(env("gateway-service")).containsEntry("OVIS_GATEWAY_AUTH_ADMINKEYS_0", "${OVIS_ADMIN_KEY:-}");
        assertThat(env("prometheus")).containsKey("OVIS_ADMIN_KEY");
        assertThat(list(services.get("prometheus").get("command")).toString()).contains("> " + keyFile);
    }

    @Test
    void dockerComposeAcceptsTheFileWithEveryProfile() throws IOException, InterruptedException {
        boolean installed = Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "docker-compose")));
        Assumptions.assumeTrue(installed, "docker-compose is missing (tools/setup-machine.sh installs it)");
        Process p = new ProcessBuilder("docker-compose", "-f", "docker-compose.yml", "--profile", "gpu",
                "--profile", "monitoring", "config", "-q").directory(RepositoryFiles.root().toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> env(String service) {
        return (Map<String, String>) services.get(service).get("environment");
    }
}
