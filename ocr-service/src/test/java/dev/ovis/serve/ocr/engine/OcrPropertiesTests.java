package dev.ovis.serve.ocr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/** application.yml binds onto {@link OcrProperties} and says what the record's defaults say. */
class OcrPropertiesTests {

    @Test
    void applicationYmlMatchesTheDefaultsInCode() throws Exception {
        var environment = new StandardEnvironment();
        new YamlPropertySourceLoader().load("application", new ClassPathResource("application.yml"))
                .forEach(environment.getPropertySources()::addFirst);

        OcrProperties bound = Binder.get(environment).bind("ovis.ocr", OcrProperties.class).get();
        OcrProperties.Paddle defaults = new OcrProperties(null, null, null, null).paddle();

        assertThat(bound.paddle()).usingRecursiveComparison().isEqualTo(defaults);
        assertThat(bound.paddle().maxSideLength()).isEqualTo(1600);
        assertThat(bound.paddle().isolatedUnclipRatio()).isEqualTo(3.0);
        assertThat(bound.paddle().dilate()).isFalse();
    }
}
