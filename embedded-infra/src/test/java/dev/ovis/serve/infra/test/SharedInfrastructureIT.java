package dev.ovis.serve.infra.test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.ovis.serve.infra.Infrastructure;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/** One infrastructure per JVM, whose properties reach Spring through {@code register}. */
class SharedInfrastructureIT {

    @Test
    void startsOnceAndRegistersEveryProperty() {
        Infrastructure first = SharedInfrastructure.get();
        assertThat(SharedInfrastructure.get()).isSameAs(first);

        Map<String, Supplier<Object>> registered = new HashMap<>();
        DynamicPropertyRegistry registry = registered::put;
        SharedInfrastructure.register(registry);

        assertThat(registered.keySet()).containsAll(List.of("spring.kafka.bootstrap-servers", "spring.datasource.url",
                "spring.datasource.username", "spring.datasource.password", "spring.r2dbc.url", "spring.r2dbc.username",
                "spring.r2dbc.password", "spring.flyway.url", "spring.flyway.user", "spring.flyway.password",
                "ovis.storage.endpoint", "ovis.storage.access-key", "ovis.storage.secret-key"));
        assertThat(registered.get("spring.kafka.bootstrap-servers").get()).isEqualTo(first.kafkaBootstrapServers());
        assertThat(registered.get("ovis.storage.endpoint").get()).isEqualTo(first.s3Endpoint());
    }
}
