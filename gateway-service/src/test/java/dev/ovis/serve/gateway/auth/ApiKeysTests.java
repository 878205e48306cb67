package dev.ovis.serve.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Where API keys come from: configured keys through {@code SPRING_APPLICATION_JSON} (how the images,
 * compose and the Kubernetes Secret {@code ovis-api-keys} pass them), a generated key only where
 * {@code ovis.gateway.auth.generate-key} allows it. A full Spring application, so the binding is the
 * one the gateway gets at start-up.
 */
class ApiKeysTests {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(AuthProperties.class)
    @Import(ApiKeys.class)
    static class Keys {
    }

    private static ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(Keys.class)
                .web(WebApplicationType.NONE)
                .bannerMode(org.springframework.boot.Banner.Mode.OFF)
                .properties(properties)
                .run();
    }

    @Test
    void givenKeysInApplicationJson_whenLookedUp_thenTheirTenantsAnswerAndCaseMatters() {
        // given: keys as the Secret ovis-api-keys passes them (SPRING_APPLICATION_JSON), no generation allowed
        String json = "{\"ovis\":{\"gateway\":{\"auth\":{\"generate-key\":false,"
                + "\"keys\":{\"ovis-AbC_d-9\":\"team-a\",\"ovis-xyz\":\"team-b\"}}}}}";
        try (ConfigurableApplicationContext context = start("spring.application.json=" + json)) {
            ApiKeys keys = context.getBean(ApiKeys.class);
            // then
            assertThat(keys.tenant("ovis-AbC_d-9")).contains(new Tenant("team-a"));
            assertThat(keys.tenant("ovis-xyz")).contains(new Tenant("team-b"));
            assertThat(keys.tenant("ovis-abc_d-9")).isEmpty();
            assertThat(keys.tenant("")).isEmpty();
        }
    }

    @Test
    void givenNoKeysAndGenerationOff_whenStarting_thenStartFailsNamingTheWayOut() {
        assertThatThrownBy(() -> start("ovis.gateway.auth.generate-key=false").close())
                .rootCause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("No API key configured")
                .hasMessageContaining("ovis.gateway.auth.keys")
                .hasMessageContaining("ovis-api-keys");
    }

    @Test
    void givenNoKeysAndTheDefault_whenStarting_thenAKeyIsGeneratedAndOnlyItOpens() {
        try (ConfigurableApplicationContext context = start()) {
            assertThat(context.getBean(AuthProperties.class).generateKey()).isTrue();
            assertThat(context.getBean(ApiKeys.class).tenant("ovis-guess")).isEmpty();
        }
    }
}
