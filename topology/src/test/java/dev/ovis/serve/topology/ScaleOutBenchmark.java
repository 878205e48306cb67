package dev.ovis.serve.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Aggregate decode throughput with two llm workers against one, in one run of the multi-process
 * topology (one gateway, two llm processes, the tiny model): phases of {@code ovis.bench.seconds}
 * under {@code ovis.bench.clients} closed-loop clients sending greedy text chats, in the order
 * two workers, one worker (llm-2 stopped with SIGTERM, so it leaves the consumer group at once),
 * two workers again (llm-2 started again); the ratio compares one worker with the mean of the two
 * two-worker phases, so drift over the run counts against neither side. Prints {@code BENCH} lines.
 * A benchmark, not a test: run it alone (docs/benchmarks.md has the command).
 */
class ScaleOutBenchmark {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final int CLIENTS = Integer.getInteger("ovis.bench.clients", 8);
    private static final Duration PHASE = Duration.ofSeconds(Integer.getInteger("ovis.bench.seconds", 30));
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final int MAX_TOKENS = Integer.getInteger("ovis.bench.max-tokens", 64);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Topology topology;

    /** What one phase did: answered requests and their completion tokens, over its length. */
    record Phase(String name, long requests, long tokens, long errors, Duration length) {
        double tokensPerSecond() {
            return tokens / (length.toNanos() / 1e9);
        }

        double requestsPerSecond() {
            return requests / (length.toNanos() / 1e9);
        }
    }

    @BeforeAll
    static void start() throws IOException {
        Path dataDir = Files.createDirectories(Path.of("target")).resolve("topology-scale-" + System.currentTimeMillis())
                .toAbsolutePath();
        topology = Topology.start(new Topology.Settings(REPOSITORY, dataDir,
                Map.of("gateway", 1, "vision", 1, "llm", 2, "video", 1, "ocr", 1),
                Map.of("OVIS_GATEWAY_LIMITS_ENABLED", "false"),
                List.of("-XX:+UseSerialGC", "-Xss512k"), Duration.ofMinutes(4)));
    }

    @AfterAll
    static void stop() {
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void twoLlmWorkersAgainstOne() throws Exception {
        String gateway = topology.gatewayUrls().getFirst();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        String model = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/models"))
                .header("Authorization", "Bearer " + topology.apiKey()).build(), HttpResponse.BodyHandlers.ofString()).body())
                .get("data").get(0).get("id").asString();
        String load = loadAverage();
        run(http, gateway, model, "warm-up", PHASE); // as long as a phase: the first measured one must not pay for JIT warm-up
        Phase twoBefore = run(http, gateway, model, "2 llm workers", PHASE);
        topology.stop("llm-2");
        run(http, gateway, model, "settle (1 worker)", SETTLE);
        Phase one = run(http, gateway, model, "1 llm worker", PHASE);
        topology.startAgain("llm-2");
        run(http, gateway, model, "settle (2 workers)", SETTLE);
        Phase twoAfter = run(http, gateway, model, "2 llm workers again", PHASE);
        for (Phase phase : List.of(twoBefore, one, twoAfter)) {
            System.out.printf("BENCH scale-out %-20s clients=%d max_tokens=%d requests/s=%.1f tokens/s=%.1f errors=%d%n",
                    phase.name(), CLIENTS, MAX_TOKENS, phase.requestsPerSecond(), phase.tokensPerSecond(), phase.errors());
        }
        double two = (twoBefore.tokensPerSecond() + twoAfter.tokensPerSecond()) / 2;
        System.out.printf("BENCH scale-out ratio tokens/s 2 workers / 1 worker = %.2f (load average before %s, after %s, %d cores)%n",
                two / one.tokensPerSecond(), load, loadAverage(), Runtime.getRuntime().availableProcessors());
        assertThat(one.requests()).as("the one-worker phase answered").isPositive();
        assertThat(twoBefore.errors() + one.errors() + twoAfter.errors()).as("errors").isZero();
    }

    /** {@link #CLIENTS} closed-loop clients for {@code length}; each sends its next chat when the last is answered. */
    private static Phase run(HttpClient http, String gateway, String model, String name, Duration length) throws Exception {
        AtomicLong requests = new AtomicLong();
        AtomicLong tokens = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long end = start + length.toNanos();
        try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                running.add(clients.submit(() -> {
                    for (int i = 0; System.nanoTime() < end; i++) {
                        String body = """
                                {"model": "%s", "max_tokens": %d, "temperature": 0,
                                 "messages": [{"role": "user", "content": "Tell story %d of client %d."}]}"""
                                .formatted(model, MAX_TOKENS, i, client);
                        try {
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/chat/completions"))
                                    .timeout(Duration.ofMinutes(2)).header("Authorization", "Bearer " + topology.apiKey())
                                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() != 200) {
                                errors.incrementAndGet();
                                continue;
                            }
                            JsonNode usage = JSON.readTree(response.body()).get("usage");
                            if (System.nanoTime() <= end) { // a request that ends after the phase is not counted
                                requests.incrementAndGet();
                                tokens.addAndGet(usage.get("completion_tokens").asLong());
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        return new Phase(name, requests.get(), tokens.get(), errors.get(), length);
    }

    private static String loadAverage() {
        return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
