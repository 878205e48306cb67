package dev.ovis.serve.support.stage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

class StageReadinessDefaultsTests {

    @Test
    void aStageServiceIsReadyOnlyWhenItsConsumersRun() {
        MockEnvironment environment = new MockEnvironment().withProperty("ovis.stage.name", "vision");

        new StageReadinessDefaults().postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty(StageReadinessDefaults.READINESS_INCLUDE)).isEqualTo("readinessState,stageConsumers");
    }

    @Test
    void anExplicitReadinessGroupAndTheGatewayAreLeftAlone() {
        MockEnvironment stage = new MockEnvironment().withProperty("ovis.stage.name", "vision")
                .withProperty(StageReadinessDefaults.READINESS_INCLUDE, "readinessState");
        MockEnvironment gateway = new MockEnvironment();

        new StageReadinessDefaults().postProcessEnvironment(stage, new SpringApplication());
        new StageReadinessDefaults().postProcessEnvironment(gateway, new SpringApplication());

        assertThat(stage.getProperty(StageReadinessDefaults.READINESS_INCLUDE)).isEqualTo("readinessState");
        assertThat(gateway.containsProperty(StageReadinessDefaults.READINESS_INCLUDE)).isFalse();
    }
}
