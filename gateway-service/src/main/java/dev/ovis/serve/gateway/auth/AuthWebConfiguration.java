package dev.ovis.serve.gateway.auth;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

/** Registers the {@link Tenant} controller argument. */
@Configuration(proxyBeanMethods = false)
class AuthWebConfiguration implements WebFluxConfigurer {

    @Override
    public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
        configurer.addCustomResolver(new TenantArgumentResolver());
    }
}
