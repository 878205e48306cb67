package dev.ovis.serve.ocr.engine;

import ai.onnxruntime.OrtException;
import dev.ovis.serve.ocr.image.ImageDecoder;
import dev.ovis.serve.ocr.model.ModelLoader;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/** Wires the engines from {@link OcrProperties}; models are loaded and verified at start-up. */
@Configuration(proxyBeanMethods = false)
class OcrConfiguration {

    @Bean(destroyMethod = "close")
    OcrEngineFactory ocrEngineFactory(OcrProperties properties, ResourceLoader resources) throws IOException, OrtException {
        return new OcrEngineFactory(properties, new ModelLoader(resources));
    }

    @Bean
    OcrEngine ocrEngine(OcrEngineFactory factory) {
        return factory.engine();
    }

    @Bean
    ImageDecoder ocrImageDecoder(OcrProperties properties) {
        return new ImageDecoder(properties.limits().maxPixels(), properties.limits().maxDecodedBytes());
    }
}
