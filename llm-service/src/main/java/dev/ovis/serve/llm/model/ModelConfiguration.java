package dev.ovis.serve.llm.model;

import ai.onnxruntime.OrtException;
import dev.ovis.serve.llm.LlmProperties;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Loads the model and announces it; the engine and the stage handler are wired on it in {@code llm.stage}. */
@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ModelConfiguration.class);

    @Bean(destroyMethod = "close")
    LlmModel llmModel(LlmProperties properties, Environment environment) throws IOException, OrtException {
        LlmModel model = LlmModel.open(properties.resolvedModelDir(environment.getProperty("ovis.model.dir")), properties.threads());
        log.info("llm model {} loaded: context {}, decoder {}", model.id(), model.contextLength(), model.decoder().spec());
        return model;
    }

    @Bean(destroyMethod = "close")
    ModelAnnouncer modelAnnouncer(LlmModel model, EnvelopePublisher publisher, LlmProperties properties) {
        return new ModelAnnouncer(model, publisher, properties.announceInterval());
    }
}
