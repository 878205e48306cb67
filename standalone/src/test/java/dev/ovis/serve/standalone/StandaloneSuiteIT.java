package dev.ovis.serve.standalone;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** The five services in one JVM on real infrastructure: all healthy, each on its own config. */
@ExtendWith(RunningSuite.class)
class StandaloneSuiteIT {

    private static StandaloneRun run;
    private static HttpClient http;

    @BeforeAll
    static void start(StandaloneRun suite) {
        run = suite;
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void closeClient() {
        http.close();
    }

    @Test
    void everyServiceReportsUpLiveAndReady() throws Exception {
        Map<Service, Integer> ports = run.ports();
        assertThat(ports.keySet()).containsExactlyElementsOf(Service.SUITE);
        assertThat(ports.values()).doesNotHaveDuplicates().allSatisfy(p -> assertThat(p).isPositive());
        for (Map.Entry<Service, Integer> e : ports.entrySet()) {
            for (String path : new String[] {"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"}) {
                HttpResponse<String> response = get(e.getValue(), path, null);
                assertThat(response.statusCode()).as(e.getKey().name() + path).isEqualTo(200);
                assertThat(response.body()).as(e.getKey().name() + path).contains("\"UP\"");
            }
        }
    }

    @Test
    void eachContextReadsItsOwnApplicationConfig() {
        run.ports().keySet().forEach(service -> {
            String name = run.contextFor(service).getEnvironment().getProperty("spring.application.name");
            assertThat(name).isEqualTo(service.name() + "-service");
        });
    }

    @Test
    void gatewayAnswersWithTheGeneratedApiKeyOnly() throws Exception {
        int gateway = run.ports().get(Service.SUITE.getFirst());
        assertThat(get(gateway, "/v1/jobs", null).statusCode()).isEqualTo(401);
        assertThat(get(gateway, "/v1/jobs", "not-a-key").statusCode()).isEqualTo(401);
        assertThat(get(gateway, "/v1/jobs", run.apiKey()).statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> get(int port, String path, String apiKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
