package dev.ovis.serve.standalone;

import com.openai.client.OpenAIClient;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FilePurpose;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Batch throughput and what a running batch costs interactive chats, on the one-JVM suite (tiny
 * fixture model, rate limits off, default batch settings), all in one run:
 * <ol>
 * <li>interactive baseline: one client sending text chats back to back, latency p50/p99 (before and,
 *     to bracket the noise of a shared machine, again after the batch with interactive load);</li>
 * <li>a batch of N text chats alone: lines/s from creation to {@code completed};</li>
 * <li>another such batch with the same interactive client running while it is in progress;</li>
 * <li>the same N chats as single requests from {@code max-active-batch-per-kind} (8) clients: items/s.</li>
 * </ol>
 * Prints {@code BENCH} lines (also appended to {@code target/batch-benchmark.txt}); not a test —
 * nothing is asserted about speed.
 *
 * <p>Run: {@code ./mvnw -B -pl standalone -am verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=BatchBenchmark -Dfailsafe.failIfNoSpecifiedTests=false}; knobs {@code -Dovis.bench.lines=200
 * -Dovis.bench.seconds=15 -Dovis.bench.max-tokens=16 -Dovis.bench.args="--name=value ..."}.
 */
class BatchBenchmark {

    private final int lines = Integer.getInteger("ovis.bench.lines", 200);
    private final int seconds = Integer.getInteger("ovis.bench.seconds", 15);
    private final int maxTokens = Integer.getInteger("ovis.bench.max-tokens", 16);

    @Test
    void batchThroughputAndInteractiveLatency() throws Exception {
        List<String> args = new ArrayList<>(List.of("--ovis.model.dir=" + ChatApi.FIXTURE, "--ovis.gateway.limits.enabled=false"));
        String extra = System.getProperty("ovis.bench.args", "").strip();
        if (!extra.isEmpty()) {
            args.addAll(List.of(extra.split("\\s+")));
        }
        try (StandaloneRun run = new StandaloneRun();
             HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
            run.start(new StandaloneOptions(null, true, Duration.ofMinutes(5), args), SharedInfrastructure.get());
            OpenAIClient sdk = ChatApi.sdk(run.gatewayUrl(), run.apiKey());
            try {
                String model = ChatEndToEndIT.awaitModel(sdk);
                String interactive = body(model, "What is in this picture? Describe the sun.");
                report("batch benchmark: tiny fixture, extra args [" + extra + "], " + lines + " lines, max_tokens " + maxTokens
                        + ", " + Runtime.getRuntime().availableProcessors() + " cores, load average " + load());
                // warm-up: the interactive path for one phase's length, the batch path with a small batch
                interactive(http, run, interactive, deadline(seconds));
                runBatch(sdk, model, "warm-up", 16, null);
                List<Long> alone = interactive(http, run, interactive, deadline(seconds));
                report("interactive alone, before (1 client, " + seconds + " s): " + latencies(alone));

                double batchAlone = runBatch(sdk, model, "alone", lines, null);
                report(String.format("batch alone: %d lines, %.1f lines/s", lines, batchAlone));

                AtomicBoolean running = new AtomicBoolean(true);
                List<Long> during = new ArrayList<>();
                Thread client = Thread.ofVirtual().start(() -> during.addAll(interactive(http, run, interactive, running::get)));
                double batchBusy = runBatch(sdk, model, "busy", lines, () -> running.set(false));
                client.join();
                report(String.format("batch with interactive client: %d lines, %.1f lines/s", lines, batchBusy));
                report("interactive during batch (1 client): " + latencies(during));
                List<Long> after = interactive(http, run, interactive, deadline(seconds));
                report("interactive alone, after (1 client, " + seconds + " s): " + latencies(after));

                report(String.format("same %d chats as single requests (8 clients): %.1f items/s", lines,
                        singles(http, run, model, 8)));
                report("load average at the end " + load());
            } finally {
                sdk.close();
            }
        }
    }

    /** Creates a batch of {@code lines} chats and waits until it completes; returns lines/s. */
    private double runBatch(OpenAIClient sdk, String model, String name, int lines, Runnable whenDone) throws IOException {
        Path file = Files.createTempFile("batch-bench-", ".jsonl");
        try {
            List<String> input = new ArrayList<>();
            for (int i = 0; i < lines; i++) {
                input.add(ChatApi.JSON.writeValueAsString(Map.of("custom_id", name + "-" + i, "method", "POST",
                        "url", "/v1/chat/completions", "body", ChatApi.JSON.readTree(body(model, "Line " + i + ": say something.")))));
            }
            Files.writeString(file, String.join("\n", input) + "\n");
            String inputId = sdk.files().create(FileCreateParams.builder().file(file).purpose(FilePurpose.BATCH).build()).id();
            long t0 = System.nanoTime();
            String id = sdk.batches().create(BatchCreateParams.builder().inputFileId(inputId)
                    .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                    .completionWindow(BatchCreateParams.CompletionWindow._24H).build()).id();
            Batch batch;
            do {
                sleep(200);
                batch = sdk.batches().retrieve(id);
            } while (!batch.status().equals(Batch.Status.COMPLETED) && !batch.status().equals(Batch.Status.FAILED));
            double elapsed = (System.nanoTime() - t0) / 1e9;
            if (whenDone != null) {
                whenDone.run();
            }
            long completed = batch.requestCounts().orElseThrow().completed();
            if (completed != lines) {
                throw new IllegalStateException("batch " + id + " ended " + batch.status() + " with " + completed + " of " + lines);
            }
            return lines / elapsed;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** One client, requests back to back while {@code go} holds; the latencies of those answered 200. */
    private static List<Long> interactive(HttpClient http, StandaloneRun run, String body, BooleanSupplier go) {
        List<Long> latencies = new ArrayList<>();
        while (go.getAsBoolean()) {
            long t0 = System.nanoTime();
            try {
                if (send(http, run, body) == 200) {
                    latencies.add(System.nanoTime() - t0);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return latencies;
    }

    private double singles(HttpClient http, StandaloneRun run, String model, int clients) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < lines; i = next.getAndIncrement()) {
                        if (send(http, run, body(model, "Line " + i + ": say something.")) == 200) {
                            ok.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
        }
        if (ok.get() != lines) {
            throw new IllegalStateException(ok.get() + " of " + lines + " single requests answered 200");
        }
        return lines / ((System.nanoTime() - t0) / 1e9);
    }

    private String body(String model, String question) {
        return "{\"model\": \"" + model + "\", \"max_tokens\": " + maxTokens + ", \"temperature\": 0, "
                + "\"messages\": [{\"role\": \"user\", \"content\": \"" + question + "\"}]}";
    }

    private static BooleanSupplier deadline(int seconds) {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        return () -> System.nanoTime() < end;
    }

    private static int send(HttpClient http, StandaloneRun run, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(run.gatewayUrl() + "/v1/chat/completions"))
                .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + run.apiKey())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String latencies(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return String.format("%d requests, p50 %.1f ms, p99 %.1f ms", sorted.size(), ms(sorted, 0.50), ms(sorted, 0.99));
    }

    private static double ms(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(quantile * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1))) / 1e6;
    }

    private static String load() {
        return String.format("%.1f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void report(String line) throws IOException {
        System.out.println("BENCH " + line);
        Files.writeString(Path.of("target", "batch-benchmark.txt"), line + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
