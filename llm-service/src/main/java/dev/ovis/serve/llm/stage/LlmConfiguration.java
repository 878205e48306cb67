package dev.ovis.serve.llm.stage;

import dev.ovis.serve.llm.LlmProperties;
import dev.ovis.serve.llm.decode.DecodeEngine;
import dev.ovis.serve.llm.decode.EngineSettings;
import dev.ovis.serve.llm.model.LlmModel;
import dev.ovis.serve.llm.prompt.EmbeddingAssembler;
import dev.ovis.serve.llm.prompt.PromptBuilder;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.llm.decode.EngineObserver;
import dev.ovis.serve.llm.metrics.ServingMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the decode engine and the stage handler on the loaded model ({@code llm.model}). */
@Configuration(proxyBeanMethods = false)
class LlmConfiguration {

    @Bean(destroyMethod = "close")
    DecodeEngine decodeEngine(LlmModel model, LlmProperties properties, ObjectProvider<MeterRegistry> registry) {
        EngineSettings settings = new EngineSettings(model.contextLength(), model.stopIds(),
                properties.kvCache().maxBytes().toBytes(), properties.maxBatch(), properties.maxQueued(), properties.prefillTokens(),
                properties.batchAging(), properties.prefixCache().settings());
        MeterRegistry meters = registry.getIfAvailable();
        EngineObserver observer = meters == null ? EngineObserver.NONE : new ServingMetrics(meters, model.id());
        return new DecodeEngine(model.decoder(), model.textRows(), model.tokenizer()::decode, settings, observer);
    }

    @Bean
    LlmStageHandler llmStageHandler(LlmModel model, DecodeEngine engine, ObjectStore store, LlmProperties properties) {
        PromptBuilder prompts = new PromptBuilder(model.tokenizer(), model.id(), model.hidden());
        EmbeddingAssembler assembler = new EmbeddingAssembler(model.textRows(), model.indicatorRows(), new StoredVisualRows(store));
        return new LlmStageHandler(model, prompts, assembler, engine, properties.streamInterval());
    }
}
