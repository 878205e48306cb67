package dev.ovis.serve.standalone;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.openai.client.OpenAIClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an operator sees after one chat with an image: the llm's Prometheus scrape holds a time to
 * first token histogram with a count for the model (vLLM's names, {@code ovis:} prefix), the
 * vision service counted its embedding-cache lookup, and the trace named in the answer's
 * {@code X-Trace-Id} has spans of the gateway, vision and llm services, Kafka hops included.
 * The gateway's actuator opens to the admin key only. The Grafana dashboard in {@code monitoring/}
 * parses and queries only metrics the running suite exposes.
 */
@ExtendWith(RunningSuite.class)
class ObservabilityEndToEndIT {

    private static StandaloneRun run;
    private static HttpClient http;
    private static OpenAIClient sdk;
    private static String model;

    @BeforeAll
    static void start(StandaloneRun suite) {
        run = suite;
        http = HttpClient.newHttpClient();
        sdk = ChatApi.sdk(run.gatewayUrl(), run.apiKey());
        model = ChatEndToEndIT.awaitModel(sdk);
    }

    @AfterAll
    static void close() {
        sdk.close();
        http.close();
    }

    @Test
    void oneImageChatShowsAsTtftHistogramAndAsOneTraceAcrossThreeServices() throws Exception {
        long ttftBefore = ttftCount(scrape(Service.SUITE.get(2), null));
        HttpResponse<String> answer = imageChat();
        String traceId = answer.headers().firstValue("X-Trace-Id").orElseThrow();
        assertThat(traceId).matches("[0-9a-f]{32}");

        String llm = scrape(Service.SUITE.get(2), null);
        assertThat(ttftCount(llm)).isGreaterThan(ttftBefore);
        assertThat(llm).contains("ovis:time_to_first_token_seconds_bucket{", "ovis:e2e_request_latency_seconds_count{",
                "ovis:inter_token_latency_seconds_count{", "ovis:request_queue_time_seconds_count{",
                "ovis:prompt_tokens_total{", "ovis:generation_tokens_total{", "ovis:num_requests_running{",
                "ovis:kv_cache_usage_perc{", "ovis:stage_duration_seconds_count{");
        String vision = scrape(Service.SUITE.get(1), null);
        assertThat(vision).contains("ovis:mm_cache_queries_total{", "ovis:stage_queue_time_seconds_count{");

        // metrics and traces of the gateway: the admin key only
        assertThat(get(run.gatewayUrl() + "/actuator/prometheus", run.apiKey()).statusCode()).isEqualTo(404);
        assertThat(get(run.gatewayUrl() + "/actuator/prometheus", run.adminKey()).statusCode()).isEqualTo(200);

        List<String> services = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            HttpResponse<String> trace = get(run.gatewayUrl() + "/actuator/traces/" + traceId, run.adminKey());
            assertThat(trace.statusCode()).isEqualTo(200);
            services.clear();
            kinds.clear();
            names.clear();
            for (JsonNode span : ChatApi.json(trace.body())) {
                assertThat(span.get("traceId").asString()).isEqualTo(traceId);
                services.add(span.get("service").asString());
                kinds.add(span.get("service").asString() + ":" + span.get("kind").asString());
                names.add(span.get("name").asString());
            }
            assertThat(services).contains("gateway-service", "vision-service", "llm-service");
            // the Kafka hops: gateway → vision and vision → llm are producer/consumer span pairs
            assertThat(kinds).contains("gateway-service:SERVER", "gateway-service:PRODUCER", "gateway-service:CONSUMER",
                    "vision-service:CONSUMER", "vision-service:PRODUCER", "llm-service:CONSUMER");
            // the database's share: the job's transaction (the backpressure count is in its insert) is a span of its own
            assertThat(names).contains("job submit");
        });
    }

    @Test
    void theDashboardParsesAndQueriesOnlyMetricsTheSuiteExposes() throws Exception {
        imageChat();
        JsonNode dashboard = ChatApi.JSON.readTree(DASHBOARD.toFile());
        assertThat(dashboard.get("uid").asString()).isEqualTo("ovis-serve");
        Set<String> queried = new TreeSet<>();
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            if (panel.has("targets")) {
                panel.get("targets").forEach(target -> expressions.add(target.get("expr").asString()));
            }
        }
        dashboard.get("templating").get("list").forEach(variable -> expressions.add(variable.get("definition").asString()));
        for (String expression : expressions) {
            Matcher m = METRIC_IN_QUERY.matcher(expression);
            while (m.find()) {
                queried.add(m.group(1));
            }
        }
        assertThat(queried).as("metrics in the dashboard's queries").hasSizeGreaterThan(10)
                .contains("ovis:time_to_first_token_seconds_bucket", "ovis:kv_cache_usage_perc");

        Set<String> exposed = new TreeSet<>();
        for (Service service : Service.SUITE) {
            String key = service.equals(Service.SUITE.getFirst()) ? run.adminKey() : null;
            for (String line : scrape(service, key).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    exposed.add(line.split("[{ ]", 2)[0]);
                }
            }
        }
        assertThat(exposed).containsAll(queried);
    }

    private static final Path DASHBOARD = Path.of("..", "monitoring", "grafana", "dashboards", "ovis-serve.json");
    private static final Pattern METRIC_IN_QUERY = Pattern.compile("\\b(ovis[:_][a-z0-9_:]+|kafka_consumer_[a-z0-9_]+)");

    /** One chat with the fixture's image, a few tokens long. */
    private static HttpResponse<String> imageChat() throws Exception {
        ChatApi.Reference reference = ChatApi.Reference.named("one_image");
        HttpResponse<String> answer = ChatApi.post(http, run.gatewayUrl(), run.apiKey(), "/v1/chat/completions",
                "application/json", """
                {"model": "%s", "max_tokens": 4, "messages": [{"role": "user", "content": [
                  {"type": "image_url", "image_url": {"url": "%s", "max_partition": 4}},
                  {"type": "text", "text": "Describe the image."}]}]}"""
                        .formatted(model, ChatApi.dataUri(reference.images().getFirst())));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return answer;
    }

    private static final Pattern TTFT_COUNT = Pattern.compile(
            "^ovis:time_to_first_token_seconds_count\\{[^}]*model_name=\"([^\"]+)\"[^}]*} ([0-9.eE+]+)$", Pattern.MULTILINE);

    private static long ttftCount(String scrape) {
        Matcher m = TTFT_COUNT.matcher(scrape);
        long count = 0;
        while (m.find()) {
            if (m.group(1).equals(model)) {
                count += (long) Double.parseDouble(m.group(2));
            }
        }
        return count;
    }

    private static String scrape(Service service, String key) throws Exception {
        HttpResponse<String> response = get("http://127.0.0.1:" + run.ports().get(service) + "/actuator/prometheus", key);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private static HttpResponse<String> get(String url, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
