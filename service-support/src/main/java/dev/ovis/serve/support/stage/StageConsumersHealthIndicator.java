package dev.ovis.serve.support.stage;

import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP while every stage consumer and the control consumer run; part of the readiness group of a
 * stage service (see {@link StageReadinessDefaults}), so an instance whose consumers died is taken
 * out of rotation.
 */
public final class StageConsumersHealthIndicator implements HealthIndicator {

    private final StageListeners listeners;

    public StageConsumersHealthIndicator(StageListeners listeners) {
        this.listeners = listeners;
    }

    @Override
    public Health health() {
        Map<String, Boolean> state = listeners.state();
        Health.Builder builder = state.values().stream().allMatch(Boolean::booleanValue) ? Health.up() : Health.down();
        state.forEach((name, ok) -> builder.withDetail(name, ok ? "running" : "not running or not yet assigned"));
        return builder.build();
    }
}
