package dev.ovis.serve.llm.metrics;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.llm.decode.EngineObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The decode engine's serving metrics under the names vLLM made standard, with {@code ovis:} in
 * place of {@code vllm:} so dashboards and autoscalers written for vLLM work after a rename: time
 * to first token, inter-token latency, end-to-end, queue, prefill and decode time (histograms with
 * vLLM's buckets), requests running and waiting, prompt and generation tokens, KV cache usage.
 * Every meter carries {@code model_name}. Times are measured on the llm service, from the moment
 * the stage submits the built prompt to the engine (what vLLM calls arrival at the engine).
 */
public final class ServingMetrics implements EngineObserver {

    public static final String TIME_TO_FIRST_TOKEN = "ovis:time_to_first_token_seconds";
    public static final String INTER_TOKEN_LATENCY = "ovis:inter_token_latency_seconds";
    public static final String E2E_REQUEST_LATENCY = "ovis:e2e_request_latency_seconds";
    public static final String REQUEST_QUEUE_TIME = "ovis:request_queue_time_seconds";
    public static final String REQUEST_PREFILL_TIME = "ovis:request_prefill_time_seconds";
    public static final String REQUEST_DECODE_TIME = "ovis:request_decode_time_seconds";
    public static final String NUM_REQUESTS_RUNNING = "ovis:num_requests_running";
    public static final String NUM_REQUESTS_WAITING = "ovis:num_requests_waiting";
    public static final String KV_CACHE_USAGE = "ovis:kv_cache_usage_perc";
    /** Counters: Prometheus shows them with {@code _total} appended. */
    public static final String PROMPT_TOKENS = "ovis:prompt_tokens";
    public static final String GENERATION_TOKENS = "ovis:generation_tokens";
    public static final String REQUEST_SUCCESS = "ovis:request_success";
    /** Prompt positions looked up in the prefix cache (vLLM's {@code prefix_cache_queries}: tokens, not requests). */
    public static final String PREFIX_CACHE_QUERIES = "ovis:prefix_cache_queries";
    /** Prompt positions found there (vLLM's {@code prefix_cache_hits}); hit rate = hits / queries. */
    public static final String PREFIX_CACHE_HITS = "ovis:prefix_cache_hits";
    /** Prefills by prefix cache outcome, tagged {@code result} = {@code hit} or {@code miss}. */
    public static final String PREFIX_CACHE_REQUESTS = "ovis:prefix_cache_requests";

    /** vLLM's buckets for time to first token (seconds). */
    private static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
            0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    /** vLLM's buckets for inter-token latency (seconds). */
    private static final double[] ITL_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75,
            1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0};
    /** vLLM's buckets for request-level latencies (seconds). */
    private static final double[] REQUEST_BUCKETS = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0,
            30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

    private final Timer ttft;
    private final Timer itl;
    private final Timer e2e;
    private final Timer queue;
    private final Timer prefill;
    private final Timer decode;
    private final Counter promptTokens;
    private final Counter generationTokens;
    private final Counter prefixQueries;
    private final Counter prefixHits;
    private final Counter prefixHitRequests;
    private final Counter prefixMissRequests;
    private final MeterRegistry registry;
    private final Tags tags;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    /** KV usage × 1e6, so a plain atomic can hold it. */
    private final AtomicLong kvUsageMillionths = new AtomicLong();

    public ServingMetrics(MeterRegistry registry, String modelName) {
        this.registry = registry;
        this.tags = Tags.of("model_name", modelName);
        ttft = timer(TIME_TO_FIRST_TOKEN, "time from submit to the first sampled token", TTFT_BUCKETS);
        itl = timer(INTER_TOKEN_LATENCY, "time between two tokens of one request", ITL_BUCKETS);
        e2e = timer(E2E_REQUEST_LATENCY, "time from submit to the end of a request", REQUEST_BUCKETS);
        queue = timer(REQUEST_QUEUE_TIME, "time a request waited for a batch row and KV memory", REQUEST_BUCKETS);
        prefill = timer(REQUEST_PREFILL_TIME, "time spent prefilling a request's prompt", REQUEST_BUCKETS);
        decode = timer(REQUEST_DECODE_TIME, "time from a request's first token to its end", REQUEST_BUCKETS);
        promptTokens = Counter.builder(PROMPT_TOKENS)
                .description("prompt positions prefilled (visual ones included, prefix-cached ones too)")
                .tags(tags).register(registry);
        generationTokens = Counter.builder(GENERATION_TOKENS).description("tokens generated")
                .tags(tags).register(registry);
        prefixQueries = Counter.builder(PREFIX_CACHE_QUERIES).description("prompt positions looked up in the prefix cache")
                .tags(tags).register(registry);
        prefixHits = Counter.builder(PREFIX_CACHE_HITS).description("prompt positions taken from the prefix cache")
                .tags(tags).register(registry);
        prefixHitRequests = Counter.builder(PREFIX_CACHE_REQUESTS).description("prefills by prefix cache outcome")
                .tags(tags).tag("result", "hit").register(registry);
        prefixMissRequests = Counter.builder(PREFIX_CACHE_REQUESTS).description("prefills by prefix cache outcome")
                .tags(tags).tag("result", "miss").register(registry);
        Gauge.builder(NUM_REQUESTS_RUNNING, running, AtomicInteger::get)
                .description("sequences in the running decode batch").tags(tags).register(registry);
        Gauge.builder(NUM_REQUESTS_WAITING, waiting, AtomicInteger::get)
                .description("requests waiting for a batch row or KV memory").tags(tags).register(registry);
        Gauge.builder(KV_CACHE_USAGE, kvUsageMillionths, v -> v.get() / 1e6)
                .description("share of the KV cache budget the running batch reserves (0..1)").tags(tags).register(registry);
    }

    private Timer timer(String name, String description, double[] buckets) {
        return Timer.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(Arrays.stream(buckets).mapToObj(s -> Duration.ofNanos((long) (s * 1e9)))
                        .toArray(Duration[]::new))
                .register(registry);
    }

    @Override
    public void admitted(long queuedNanos) {
        queue.record(Duration.ofNanos(queuedNanos));
    }

    @Override
    public void prefilled(long prefillNanos, int promptTokens) {
        prefill.record(Duration.ofNanos(prefillNanos));
        this.promptTokens.increment(promptTokens);
    }

    @Override
    public void prefixCached(int promptTokens, int reusedTokens) {
        prefixQueries.increment(promptTokens);
        prefixHits.increment(reusedTokens);
        (reusedTokens > 0 ? prefixHitRequests : prefixMissRequests).increment();
    }

    @Override
    public void firstToken(long sinceSubmitNanos) {
        ttft.record(Duration.ofNanos(sinceSubmitNanos));
    }

    @Override
    public void nextToken(long sincePreviousNanos) {
        itl.record(Duration.ofNanos(sincePreviousNanos));
    }

    @Override
    public void finished(FinishReason reason, long e2eNanos, long decodeNanos, int promptTokens, int generatedTokens) {
        e2e.record(Duration.ofNanos(e2eNanos));
        if (generatedTokens > 0) {
            decode.record(Duration.ofNanos(decodeNanos));
        }
        generationTokens.increment(generatedTokens);
        String finished = reason == null ? "error" : reason.name().toLowerCase(Locale.ROOT);
        Counter.builder(REQUEST_SUCCESS).description("requests ended, by finish reason")
                .tags(tags).tag("finished_reason", finished).register(registry).increment();
    }

    @Override
    public void batch(int running, int waiting, double kvUsage) {
        this.running.set(running);
        this.waiting.set(waiting);
        kvUsageMillionths.set(Math.round(kvUsage * 1e6));
    }
}
