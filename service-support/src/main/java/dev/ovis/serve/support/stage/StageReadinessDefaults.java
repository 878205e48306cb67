package dev.ovis.serve.support.stage;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Puts the {@code stageConsumers} health indicator into the readiness group of a stage service
 * ({@code ovis.stage.name} set), unless the application configures the group itself: a stage whose
 * consumers are not running is not ready.
 */
public final class StageReadinessDefaults implements EnvironmentPostProcessor {

    static final String READINESS_INCLUDE = "management.endpoint.health.group.readiness.include";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty("ovis.stage.name") && !environment.containsProperty(READINESS_INCLUDE)) {
            environment.getPropertySources().addLast(new MapPropertySource("ovisStageReadinessDefaults",
                    Map.of(READINESS_INCLUDE, "readinessState,stageConsumers")));
        }
    }
}
