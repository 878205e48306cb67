package dev.ovis.serve.vision.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** {@code ovis.vision.preprocess}: the documented default, a chosen value, and a value outside Ovis2's 1..12 refused at start-up, the failure naming the field. */
class PreprocessPropertiesTests {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(PreprocessProperties.class)
    static class Records {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Records.class);

    @Test
    void givenNothingSet_thenTheReferenceDefault() {
        runner.run(context -> assertThat(context.getBean(PreprocessProperties.class)).isEqualTo(PreprocessProperties.defaults())
                .extracting(PreprocessProperties::defaultMaxPartition).isEqualTo(9));
    }

    @Test
    void givenAValue_thenItBinds() {
        runner.withPropertyValues("ovis.vision.preprocess.default-max-partition=4")
                .run(context -> assertThat(context.getBean(PreprocessProperties.class).defaultMaxPartition()).isEqualTo(4));
    }

    @Test
    void givenAValueOutsideOneToTwelve_thenStartUpFailsNamingTheField() {
        for (String value : new String[] {"0", "13"}) {
            runner.withPropertyValues("ovis.vision.preprocess.default-max-partition=" + value).run(context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("defaultMaxPartition");
            });
        }
    }
}
