package dev.ovis.serve.vision.stage;

import ai.onnxruntime.OrtException;
import dev.ovis.serve.model.ModelDirectory;
import dev.ovis.serve.model.OnnxRuntimeOptions;
import dev.ovis.serve.model.OnnxSessionFactory;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.vision.cache.CacheProperties;
import dev.ovis.serve.vision.cache.EmbeddingCache;
import dev.ovis.serve.vision.image.ImageDecoder;
import dev.ovis.serve.vision.image.ImageProperties;
import dev.ovis.serve.vision.preprocess.ImagePreprocessor;
import dev.ovis.serve.vision.preprocess.PreprocessProperties;
import dev.ovis.serve.vision.tokenizer.BatchProperties;
import dev.ovis.serve.vision.tokenizer.BatchingVisualTokenizer;
import dev.ovis.serve.vision.tokenizer.OnnxVisualTokenizer;
import dev.ovis.serve.vision.tokenizer.VisionModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import org.springframework.beans.factory.ObjectProvider;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the vision stage: model, decoder, preprocessing, batching tokenizer, cache and the stage handler. */
@Configuration(proxyBeanMethods = false)
public class VisionConfiguration {

    @Bean
    VisionModel visionModel(@Value("${ovis.model.dir:fixtures/tiny-ovis2}") Path dir) throws IOException {
        return VisionModel.of(ModelDirectory.open(dir));
    }

    @Bean
    OnnxVisualTokenizer onnxVisualTokenizer(VisionModel model, BatchProperties batch) throws OrtException {
        return new OnnxVisualTokenizer(model, new OnnxSessionFactory(new OnnxRuntimeOptions(OnnxRuntimeOptions.Device.AUTO, 0,
                batch.intraOpThreads())));
    }

    @Bean
    BatchingVisualTokenizer batchingVisualTokenizer(OnnxVisualTokenizer model, BatchProperties batch) {
        return new BatchingVisualTokenizer(model, batch);
    }

    @Bean
    ImageDecoder imageDecoder(ImageProperties properties) {
        return new ImageDecoder(properties);
    }

    @Bean
    EmbeddingCache embeddingCache(ObjectStore store, CacheProperties properties) {
        return new EmbeddingCache(store, properties);
    }

    @Bean
    ImageEmbedder imageEmbedder(ObjectStore store, ImageDecoder decoder, BatchingVisualTokenizer tokenizer, VisionModel model,
                                EmbeddingCache cache, ImageProperties imageProperties, ObjectProvider<MeterRegistry> meters) {
        return new ImageEmbedder(store, decoder, new ImagePreprocessor(), tokenizer, model, cache, imageProperties,
                meters.getIfAvailable(SimpleMeterRegistry::new));
    }

    @Bean
    VisionStageHandler visionStageHandler(ImageEmbedder embedder, PreprocessProperties preprocess) {
        return new VisionStageHandler(embedder, preprocess);
    }
}
