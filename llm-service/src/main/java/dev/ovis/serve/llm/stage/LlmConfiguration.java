package dev.ovis.serve.llm.stage;

import ai.onnxruntime.OrtException;
import dev.ovis.serve.llm.decode.DecodeEngine;
import dev.ovis.serve.llm.decode.EngineSettings;
import dev.ovis.serve.llm.prompt.EmbeddingAssembler;
import dev.ovis.serve.llm.prompt.PromptBuilder;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.llm.decode.EngineObserver;
import dev.ovis.serve.llm.metrics.ServingMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Wires the model, the decode engine and the stage handler. */
@Configuration(proxyBeanMethods = false)
class LlmConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LlmConfiguration.class);

    @Bean(destroyMethod = "close")
    LlmModel llmModel(LlmProperties properties, Environment environment) throws IOException, OrtException {
        LlmModel model = LlmModel.open(properties.resolvedModelDir(environment.getProperty("ovis.model.dir")), properties.threads());
        log.info("llm model {} loaded: context {}, decoder {}", model.id(), model.contextLength(), model.decoder().spec());
        return model;
    }

    @Bean(destroyMethod = "close")
    DecodeEngine decodeEngine(LlmModel model, LlmProperties properties, ObjectProvider<MeterRegistry> registry) {
        EngineSettings settings = new EngineSettings(model.contextLength(), model.stopIds(),
                properties.kvCache().maxBytes().toBytes(), properties.maxBatch(), properties.maxQueued(), properties.prefillTokens(),
                properties.batchAging(), properties.prefixCache().settings());
        MeterRegistry meters = registry.getIfAvailable();
        EngineObserver observer = meters == null ? EngineObserver.NONE : new ServingMetrics(meters, model.id());
        return new DecodeEngine(model.decoder(), model.textRows(), model.tokenizer()::decode, settings, observer);
    }

    @Bean(destroyMethod = "close")
    ModelAnnouncer modelAnnouncer(LlmModel model, EnvelopePublisher publisher, LlmProperties properties) {
        return new ModelAnnouncer(model, publisher, properties.announceInterval());
    }

    @Bean
    LlmStageHandler llmStageHandler(LlmModel model, DecodeEngine engine, ObjectStore store, LlmProperties properties) {
        PromptBuilder prompts = new PromptBuilder(model.tokenizer(), model.id(), model.hidden());
        EmbeddingAssembler assembler = new EmbeddingAssembler(model.textRows(), model.indicatorRows(), new StoredVisualRows(store));
        return new LlmStageHandler(model, prompts, assembler, engine, properties.streamInterval());
    }
}
