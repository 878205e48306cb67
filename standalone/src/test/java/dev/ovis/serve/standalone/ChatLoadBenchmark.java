package dev.ovis.serve.standalone;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import dev.ovis.serve.support.observability.RecentSpans;
import dev.ovis.serve.support.stage.StageHandler;
import dev.ovis.serve.support.stage.StageOutcome;
import dev.ovis.serve.testing.RecordingStageContext;
import org.junit.jupiter.api.Test;

/**
 * Load benchmark of the chat API on the one-JVM suite (tiny fixture model, rate limits off):
 * requests/s and p50/p95/p99 latency of non-streamed {@code POST /v1/chat/completions} at 1, 16
 * and 64 concurrent clients, for a short text prompt and a one-image prompt (data URI); then the
 * latency the suite adds over the llm stage (prompt, embeddings, {@code DecodeEngine}) called
 * in-process with the same prompt (runs alternate, one at a time). Prints {@code BENCH} lines (also appended to
 * {@code target/chat-load-benchmark.txt}); not a test — nothing is asserted about speed.
 *
 * <p>Run: {@code ./mvnw -B -pl standalone -am verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=ChatLoadBenchmark -Dfailsafe.failIfNoSpecifiedTests=false}; knobs
 * {@code -Dovis.bench.seconds=20 -Dovis.bench.clients=1,16,64 -Dovis.bench.max-tokens=16
 * -Dovis.bench.overhead-runs=60 -Dovis.bench.pause-ms=0 -Dovis.bench.args="--name=value ..."} (Spring properties for every service).
 */
class ChatLoadBenchmark {

    private static final String QUESTION = "What is in this picture? Describe the sun.";

    /**
     * A pause after each measured request of the overhead runs: the work a chat leaves behind
     * (its job events applied to the row, the finished-job announcement) otherwise runs during the
     * next measurement, on the same two cores. 0 = back to back.
     */
    private static final long PAUSE = Long.getLong("ovis.bench.pause-ms", 0);
    private final int seconds = Integer.getInteger("ovis.bench.seconds", 20);
    private final int maxTokens = Integer.getInteger("ovis.bench.max-tokens", 16);
    private final int overheadRuns = Integer.getInteger("ovis.bench.overhead-runs", 60);
    /**
     * {@code -Dovis.bench.limits=true}: the shared per-tenant rate limit on, as shipped but at a
     * rate no run reaches, so its cost shows in the figures; off by default.
     */
    private final boolean limits = Boolean.getBoolean("ovis.bench.limits");
    private final int[] clients = Arrays.stream(System.getProperty("ovis.bench.clients", "1,16,64").split(","))
            .mapToInt(Integer::parseInt).toArray();

    @Test
    void chatLoad() throws Exception {
        String modelDir = ChatApi.FIXTURE.toString();
        try (StandaloneRun run = new StandaloneRun();
             // HTTP/1.1 as the services serve it (the default, HTTP/2, asks every new connection to upgrade)
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
             // a client of its own for the requests on a new connection: a Connection: close request on the
             // shared client would take its pooled connection and leave the next request to open another
             HttpClient closing = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            List<String> args = new ArrayList<>(List.of("--ovis.model.dir=" + modelDir));
            args.addAll(limits
                    ? List.of("--ovis.gateway.limits.requests-per-minute=1000000000", "--ovis.gateway.limits.burst=100000000")
                    : List.of("--ovis.gateway.limits.enabled=false"));
            String extra = System.getProperty("ovis.bench.args", "").strip();
            if (!extra.isEmpty()) {
                args.addAll(List.of(extra.split("\\s+")));
            }
            run.start(new StandaloneOptions(null, true, Duration.ofMinutes(5), args), SharedInfrastructure.get());
            String model;
            var sdk = ChatApi.sdk(run.gatewayUrl(), run.apiKey());
            try {
                model = ChatEndToEndIT.awaitModel(sdk);
            } finally {
                sdk.close();
            }
            String text = body(model, "\"" + QUESTION + "\"");
            String image = body(model, "[{\"type\": \"image_url\", \"image_url\": {\"url\": \""
                    + ChatApi.dataUri("images/cat_small.png") + "\"}}, {\"type\": \"text\", \"text\": \"Describe the image.\"}]");
            report("chat load: tiny fixture, rate limits " + (limits ? "on" : "off") + ", extra args [" + extra + "], max_tokens " + maxTokens + ", " + seconds + " s per point, "
                    + Runtime.getRuntime().availableProcessors() + " cores, load average "
                    + String.format("%.1f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
            for (String[] prompt : List.of(new String[] {"text", text}, new String[] {"one-image", image})) {
                for (int i = 0; i < 3; i++) {
                    send(http, run, prompt[1]); // warm-up
                }
                for (int c : clients) {
                    load(http, run, prompt[0], prompt[1], c);
                }
            }
            overhead(http, closing, run, model, text);
            streaming(http, run, model);
        }
    }

    /**
     * Streaming cadence at the client: sequential streamed text chats of {@code max_tokens} 64 (ignoring
     * EOS is not available, so answers may end earlier); time to the first content delta, the gaps
     * between deltas, and deltas per answer — the SSE stream as a client reads it.
     */
    private void streaming(HttpClient http, StandaloneRun run, String model) throws Exception {
        String body = "{\"model\": \"" + model + "\", \"max_tokens\": 64, \"temperature\": 0, \"stream\": true, "
                + "\"messages\": [{\"role\": \"user\", \"content\": \"" + QUESTION + "\"}]}";
        List<Long> firsts = new ArrayList<>();
        List<Long> gaps = new ArrayList<>();
        List<Long> deltas = new ArrayList<>();
        for (int i = 0; i < overheadRuns + 5; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(run.gatewayUrl() + "/v1/chat/completions"))
                    .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + run.apiKey())
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            long t0 = System.nanoTime();
            HttpResponse<java.util.stream.Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
            long last = -1;
            long count = 0;
            try (var lines = response.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (!line.startsWith("data: ") || !line.contains("\"content\":\"") || line.contains("\"content\":\"\"")) {
                        continue; // role-only, empty, usage and [DONE] events
                    }
                    long now = System.nanoTime();
                    if (i >= 5) {
                        if (last < 0) {
                            firsts.add(now - t0);
                        } else {
                            gaps.add(now - last);
                        }
                    }
                    last = now;
                    count++;
                }
            }
            if (i >= 5) {
                deltas.add(count * 1_000_000L); // ms() divides by 1e6
            }
        }
        Collections.sort(firsts);
        Collections.sort(gaps);
        Collections.sort(deltas);
        report(String.format("streaming (text, max_tokens 64, %d runs, 1 client): first content delta p50 %.1f ms p95 %.1f ms;"
                        + " between deltas p50 %.1f ms p95 %.1f ms; deltas per answer p50 %.0f", firsts.size(), ms(firsts, 0.5),
                ms(firsts, 0.95), ms(gaps, 0.5), ms(gaps, 0.95), ms(deltas, 0.5)));
    }

    private String body(String model, String content) {
        return "{\"model\": \"" + model + "\", \"max_tokens\": " + maxTokens + ", \"temperature\": 0, "
                + "\"messages\": [{\"role\": \"user\", \"content\": " + content + "}]}";
    }

    private void load(HttpClient http, StandaloneRun run, String name, String body, int concurrency) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < concurrency; c++) {
                pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                            if (send(http, run, body) == 200) {
                                latencies.add(System.nanoTime() - t0);
                            } else {
                                errors.incrementAndGet();
                            }
                        } catch (IOException | InterruptedException e) {
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        report(String.format("%-9s clients %3d: %5d ok, %d errors, %6.1f req/s, p50 %7.1f ms, p95 %7.1f ms, p99 %7.1f ms",
                name, concurrency, sorted.size(), errors.get(), sorted.size() / elapsed, ms(sorted, 0.50), ms(sorted, 0.95),
                ms(sorted, 0.99)));
    }

    /**
     * API round trip vs the llm stage called in-process (prompt building, embedding assembly and
     * the decode engine — what the llm does for a job, without Kafka, the database or HTTP), same
     * prompt, one at a time, alternating.
     */
    private void overhead(HttpClient http, HttpClient closing, StandaloneRun run, String model, String body) throws Exception {
        @SuppressWarnings("unchecked") // the llm stage's one handler takes chat tasks
        StageHandler<ChatTask> llm = run.contextFor(Service.SUITE.get(2)).getBeansOfType(StageHandler.class).values().stream()
                .filter(handler -> handler.stage() == Stage.LLM).findFirst().orElseThrow();
        SamplingParams sampling = new SamplingParams(maxTokens, 0, 1, 0, 1, null, List.of(), false, false);
        ChatTask task = new ChatTask(model, List.of(new ChatMessage(Role.USER, List.of(ContentPart.text(QUESTION)))),
                sampling, false);
        List<Long> api = new ArrayList<>();
        List<Long> fresh = new ArrayList<>();
        List<Long> floor = new ArrayList<>();
        List<Long> direct = new ArrayList<>();
        List<String> traces = new ArrayList<>();
        // The floor once more, back to back: the machine's cost of waking idle threads shows as the
        // difference (a virtual machine's halted CPU can take a millisecond to come back).
        List<Long> tightFloor = new ArrayList<>();
        for (int i = 0; i < overheadRuns + 5; i++) {
            long f0 = System.nanoTime();
            models(http, run);
            if (i >= 5) {
                tightFloor.add(System.nanoTime() - f0);
            }
        }
        for (int i = 0; i < overheadRuns + 5; i++) {
            // the same request on a new connection (Connection: close), to show what keep-alive saves
            long c0 = System.nanoTime();
            if (exchange(closing, run, body, true).statusCode() != 200) {
                throw new IllegalStateException("the API refused the benchmark request");
            }
            long freshTime = System.nanoTime() - c0;
            Thread.sleep(PAUSE);
            // the HTTP floor: an authenticated GET that touches neither the database nor Kafka
            long f0 = System.nanoTime();
            models(http, run);
            long floorTime = System.nanoTime() - f0;
            Thread.sleep(PAUSE);
            long t0 = System.nanoTime();
            HttpResponse<Void> response = exchange(http, run, body, false);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the API refused the benchmark request");
            }
            long t1 = System.nanoTime();
            long apiTime = t1 - t0;
            Thread.sleep(PAUSE);
            t1 = System.nanoTime();
            StageRequest request = new StageRequest("bench-" + i, "bench", new Route(List.of(Stage.LLM)), Stage.LLM, null,
                    JobPayload.of(task));
            if (!(llm.handle(request, task, new RecordingStageContext(request.jobId(), 1)) instanceof StageOutcome.Complete)) {
                throw new IllegalStateException("the llm stage did not complete the benchmark request");
            }
            long t2 = System.nanoTime();
            long directTime = t2 - t1;
            Thread.sleep(PAUSE);
            if (i >= 5) {
                fresh.add(freshTime);
                floor.add(floorTime);
                api.add(apiTime);
                direct.add(directTime);
                response.headers().firstValue("X-Trace-Id").ifPresent(traces::add);
            }
        }
        Collections.sort(api);
        Collections.sort(fresh);
        Collections.sort(floor);
        Collections.sort(tightFloor);
        Collections.sort(direct);
        report(String.format("overhead (text, %d runs, 1 client, kept-alive connection, %d ms between requests): API p50 %.1f ms p95 %.1f ms"
                        + " p99 %.1f ms; in-process llm stage p50 %.1f ms p95 %.1f ms p99 %.1f ms; added p50 %.1f ms,"
                        + " p99 %.1f ms (API p99 - stage p50)", api.size(), PAUSE, ms(api, 0.5), ms(api, 0.95), ms(api, 0.99),
                ms(direct, 0.5), ms(direct, 0.95), ms(direct, 0.99), ms(api, 0.5) - ms(direct, 0.5),
                ms(api, 0.99) - ms(direct, 0.5)));
        report(String.format("overhead, same runs, a new connection per request (Connection: close): API p50 %.1f ms"
                        + " p99 %.1f ms; added p50 %.1f ms", ms(fresh, 0.5), ms(fresh, 0.99), ms(fresh, 0.5) - ms(direct, 0.5)));
        report(String.format("HTTP floor, same runs: GET /v1/models (auth, JSON, no database or Kafka) p50 %.1f ms p99 %.1f ms;"
                        + " %d of them back to back before: p50 %.1f ms p99 %.1f ms",
                ms(floor, 0.5), ms(floor, 0.99), tightFloor.size(), ms(tightFloor, 0.5), ms(tightFloor, 0.99)));
        Thread.sleep(1000); // the last spans (acks) end just after the answer
        hops(traces);
    }

    /** The HTTP floor: an authenticated GET that touches neither the database nor Kafka. */
    private static void models(HttpClient http, StandaloneRun run) throws IOException, InterruptedException {
        HttpResponse<Void> models = http.send(HttpRequest.newBuilder(URI.create(run.gatewayUrl() + "/v1/models"))
                .header("Authorization", "Bearer " + run.apiKey()).GET().build(), HttpResponse.BodyHandlers.discarding());
        if (models.statusCode() != 200) {
            throw new IllegalStateException("GET /v1/models failed");
        }
    }

    /**
     * Where the time of one text chat goes, from the spans of its trace (the one-JVM run keeps them
     * all in {@link RecentSpans#jvm()}): the gateway before the job is stored (parsing, auth, rate
     * limit), the job's transaction until its stage request is sent (by the committing thread, or by
     * the outbox relay after its wake-up), the Kafka hop to the llm stage, the
     * llm stage until its last stream chunk is sent, that chunk's Kafka hop back to the gateway, and the
     * gateway until the answer is written.
     */
    private static void hops(List<String> traceIds) throws IOException {
        String[] names = {"gateway before the job is stored", "job submit until the request is sent",
            "Kafka to the llm stage", "llm stage until its answer is sent", "Kafka back to the gateway",
            "gateway until the answer is out"};
        List<List<Long>> hops = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            hops.add(new ArrayList<>());
        }
        int complete = 0;
        for (String traceId : traceIds) {
            List<RecentSpans.SpanView> spans = RecentSpans.jvm().trace(traceId);
            var root = first(spans, "http post /v1/chat/completions");
            var submit = first(spans, "job submit");
            var relay = first(spans, "outbox publish " + Topics.requests(Stage.LLM));
            var process = first(spans, Topics.requests(Stage.LLM) + " process");
            var answer = spans.stream().filter(span -> onAStreamTopic(span, " send")).reduce((a, b) -> b).orElse(null);
            var back = spans.stream().filter(span -> span.service().equals("gateway-service")
                    && onAStreamTopic(span, " process")).reduce((a, b) -> b).orElse(null);
            if (root == null || submit == null || relay == null || process == null || answer == null || back == null) {
                continue;
            }
            complete++;
            long rootEnd = root.startEpochNanos() + (long) (root.durationMillis() * 1e6);
            long[] marks = {root.startEpochNanos(), submit.startEpochNanos(), relay.startEpochNanos(),
                process.startEpochNanos(), answer.startEpochNanos(), back.startEpochNanos(), rootEnd};
            for (int i = 0; i < names.length; i++) {
                hops.get(i).add(marks[i + 1] - marks[i]);
            }
        }
        StringBuilder line = new StringBuilder(String.format("hops of a text chat (%d traces, p50 / p95):", complete));
        for (int i = 0; i < names.length; i++) {
            Collections.sort(hops.get(i));
            line.append(String.format("%n  %-36s %6.1f ms / %6.1f ms", names[i], ms(hops.get(i), 0.5), ms(hops.get(i), 0.95)));
        }
        report(line.toString());
    }

    private static RecentSpans.SpanView first(List<RecentSpans.SpanView> spans, String name) {
        return spans.stream().filter(span -> span.name().equals(name)).findFirst().orElse(null);
    }

    private static int send(HttpClient http, StandaloneRun run, String body) throws IOException, InterruptedException {
        return exchange(http, run, body, false).statusCode();
    }

    /** {@code close}: on a connection of its own ({@code Connection: close}; the pom allows the header). */
    private static HttpResponse<Void> exchange(HttpClient http, StandaloneRun run, String body, boolean close)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(run.gatewayUrl() + "/v1/chat/completions"))
                .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + run.apiKey())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (close) {
            request.header("Connection", "close");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding());
    }

    private static double ms(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(quantile * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1))) / 1e6;
    }

    private static void report(String line) throws IOException {
        System.out.println("BENCH " + line);
        Files.writeString(Path.of("target", "chat-load-benchmark.txt"), line + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Whether a span is a Kafka span ({@code "<topic> send"}, {@code "<topic> process"}) on a gateway's stream topic. */
    private static boolean onAStreamTopic(RecentSpans.SpanView span, String suffix) {
        String name = span.name();
        return name.endsWith(suffix) && Topics.named(name.substring(0, name.length() - suffix.length()))
                .filter(topic -> topic.payloadType() == StreamChunk.class).isPresent();
    }
}
