package dev.ovis.serve.support.observability;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Defaults every service of the suite shares, at the lowest precedence so configuration wins:
 * sample every request (a serving stack's requests are few and each one matters; lower
 * {@code management.tracing.sampling.probability} under heavy load), and carry the trace context
 * across Reactor operators and onto the blocking schedulers, so JDBC work and Kafka sends made for
 * a request belong to its trace.
 */
public final class ObservabilityDefaults implements EnvironmentPostProcessor {

    static final Map<String, Object> DEFAULTS = Map.of(
            "management.tracing.sampling.probability", "1.0",
            "spring.reactor.context-propagation", "auto");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource("ovisObservabilityDefaults", DEFAULTS));
    }
}
