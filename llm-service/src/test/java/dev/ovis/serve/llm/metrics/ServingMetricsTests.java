package dev.ovis.serve.llm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.llm.decode.DecodeEngine;
import dev.ovis.serve.llm.decode.DecodeRequest;
import dev.ovis.serve.llm.decode.EngineSettings;
import dev.ovis.serve.llm.decode.Generation;
import dev.ovis.serve.llm.decode.OnnxDecoder;
import dev.ovis.serve.llm.fixture.TinyLlm;
import dev.ovis.serve.llm.prompt.EmbeddingAssembler;
import dev.ovis.serve.llm.prompt.Prompt;
import dev.ovis.serve.llm.prompt.PromptBuilder;
import dev.ovis.serve.llm.prompt.PromptTokenizer;
import dev.ovis.serve.testing.TinyFixture;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decode engine reports through {@link ServingMetrics} what vLLM reports, and Prometheus shows
 * it under vLLM's names with the {@code ovis:} prefix (the colon survives the registry's naming).
 */
class ServingMetricsTests {

    private static final String MODEL = "tiny-test-model";
    private static PromptTokenizer tokenizer;
    private static OnnxDecoder decoder;
    private static Prompt prompt;
    private static EmbeddingAssembler assembler;

    @BeforeAll
    static void open() throws Exception {
        TinyFixture fixture = new TinyFixture();
        tokenizer = TinyLlm.tokenizer();
        decoder = TinyLlm.decoder();
        assembler = new EmbeddingAssembler(TinyLlm.textRows(), TinyLlm.indicatorRows(), fixture::visual);
        prompt = new PromptBuilder(tokenizer, TinyFixture.MODEL_ID, TinyFixture.HIDDEN)
                .build(fixture.conversation("text_only"), false, 32767);
    }

    @AfterAll
    static void close() throws Exception {
        decoder.close();
        tokenizer.close();
    }

    @Test
    void oneRequestIsCountedInEveryHistogramAndCounterAndShowsInTheScrape() throws Exception {
        // given an engine reporting to a Prometheus registry
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ServingMetrics metrics = new ServingMetrics(registry, MODEL);
        try (DecodeEngine engine = new DecodeEngine(decoder, TinyLlm.textRows(), tokenizer::decode,
                new EngineSettings(32768, Set.of(), 64L << 20, 8, 8, 4096), metrics)) {
            // when one greedy request of 5 tokens runs
            SamplingParams greedy = new SamplingParams(5, 0, 1, 0, 1, null, List.of(), false, false);
            Generation generation = engine.submit(new DecodeRequest("m1", assembler.assemble(prompt), prompt.positions(), greedy));
            Generation.Update done = generation.await(Duration.ofSeconds(60));
            assertThat(done.finishReason()).isEqualTo(FinishReason.LENGTH);

            // then each latency was recorded once (inter-token: between the 5 tokens, 4 times)
            assertThat(registry.get(ServingMetrics.TIME_TO_FIRST_TOKEN).tag("model_name", MODEL).timer().count()).isEqualTo(1);
            assertThat(registry.get(ServingMetrics.INTER_TOKEN_LATENCY).timer().count()).isEqualTo(4);
            assertThat(registry.get(ServingMetrics.E2E_REQUEST_LATENCY).timer().count()).isEqualTo(1);
            assertThat(registry.get(ServingMetrics.REQUEST_QUEUE_TIME).timer().count()).isEqualTo(1);
            assertThat(registry.get(ServingMetrics.REQUEST_PREFILL_TIME).timer().count()).isEqualTo(1);
            assertThat(registry.get(ServingMetrics.REQUEST_DECODE_TIME).timer().count()).isEqualTo(1);
            assertThat(registry.get(ServingMetrics.PROMPT_TOKENS).counter().count()).isEqualTo(prompt.positions());
            assertThat(registry.get(ServingMetrics.GENERATION_TOKENS).counter().count()).isEqualTo(5);
            assertThat(registry.get(ServingMetrics.REQUEST_SUCCESS).tag("finished_reason", "length").counter().count())
                    .isEqualTo(1);
            // the TTFT is within the end-to-end time
            assertThat(registry.get(ServingMetrics.TIME_TO_FIRST_TOKEN).timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
                    .isLessThanOrEqualTo(registry.get(ServingMetrics.E2E_REQUEST_LATENCY).timer()
                            .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS));
            // and the batch empties again
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(registry.get(ServingMetrics.NUM_REQUESTS_RUNNING).gauge().value()).isZero());

            String scrape = registry.scrape();
            assertThat(scrape)
                    .contains("ovis:time_to_first_token_seconds_count{model_name=\"" + MODEL + "\"} 1")
                    .contains("ovis:time_to_first_token_seconds_bucket{model_name=\"" + MODEL + "\",le=\"2560.0\"} 1")
                    .contains("ovis:generation_tokens_total{model_name=\"" + MODEL + "\"} 5")
                    .contains("ovis:num_requests_waiting{model_name=\"" + MODEL + "\"} 0")
                    .contains("ovis:kv_cache_usage_perc{model_name=\"" + MODEL + "\"}");
        }
    }

    @Test
    void prefixCacheQueriesAndHitsCountPromptPositionsAndRequestsByOutcome() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (DecodeEngine engine = new DecodeEngine(decoder, TinyLlm.textRows(), tokenizer::decode,
                new EngineSettings(32768, Set.of(), 64L << 20, 8, 8, 4096), new ServingMetrics(registry, MODEL))) {
            // when the same prompt runs twice (a miss, then a hit on its whole blocks)
            SamplingParams greedy = new SamplingParams(2, 0, 1, 0, 1, null, List.of(), false, false);
            for (int i = 0; i < 2; i++) {
                engine.submit(new DecodeRequest("m3", assembler.assemble(prompt), prompt.positions(), greedy))
                        .await(Duration.ofSeconds(60));
            }

            int reused = (prompt.positions() - 1) / 16 * 16;
            assertThat(engine.stats().reusedPositions()).isEqualTo(reused);
            assertThat(registry.get(ServingMetrics.PREFIX_CACHE_QUERIES).counter().count()).isEqualTo(2.0 * prompt.positions());
            assertThat(registry.get(ServingMetrics.PREFIX_CACHE_HITS).counter().count()).isEqualTo(reused);
            assertThat(registry.get(ServingMetrics.PREFIX_CACHE_REQUESTS).tag("result", "hit").counter().count()).isEqualTo(1);
            assertThat(registry.get(ServingMetrics.PREFIX_CACHE_REQUESTS).tag("result", "miss").counter().count()).isEqualTo(1);
            assertThat(registry.get(ServingMetrics.PROMPT_TOKENS).counter().count()).isEqualTo(2.0 * prompt.positions());
            assertThat(registry.scrape())
                    .contains("ovis:prefix_cache_hits_total{model_name=\"" + MODEL + "\"} " + reused + ".0")
                    .contains("ovis:prefix_cache_requests_total{model_name=\"" + MODEL + "\",result=\"miss\"} 1.0");
        }
    }

    @Test
    void kvUsageIsTheRunningBatchsReservationOverTheBudget() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        long budget = 64L << 20;
        try (DecodeEngine engine = new DecodeEngine(decoder, TinyLlm.textRows(), tokenizer::decode,
                new EngineSettings(32768, Set.of(), budget, 8, 8, 4096), new ServingMetrics(registry, MODEL))) {
            SamplingParams greedy = new SamplingParams(8000, 0, 1, 0, 1, null, List.of(), false, false);
            Generation generation = engine.submit(new DecodeRequest("m2", assembler.assemble(prompt), prompt.positions(), greedy));
            // while it decodes, one row reserves 2 arenas × (prompt + 8000) positions
            double expected = 2.0 * (prompt.positions() + 8000) * engine.kvBytesPerToken() / budget;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).untilAsserted(() ->
                    assertThat(registry.get(ServingMetrics.KV_CACHE_USAGE).gauge().value()).isCloseTo(expected,
                            org.assertj.core.data.Offset.offset(1e-6)));
            generation.cancel();
            generation.await(Duration.ofSeconds(30));
        }
    }
}
