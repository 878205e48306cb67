package dev.ovis.serve.support.observability;

import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tracing glue every service shares: the in-memory {@link RecentSpans} (added to the OpenTelemetry
 * SDK as a span processor, next to the OTLP exporter when one is configured), the
 * {@code /actuator/traces} endpoint, {@link TraceParents} for work that leaves the request's
 * thread, and the {@code X-Trace-Id} response header.
 */
@AutoConfiguration(before = OpenTelemetryTracingAutoConfiguration.class)
public class ObservabilityAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RecentSpans recentSpans() {
        return RecentSpans.jvm();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    TracesEndpoint tracesEndpoint(RecentSpans spans) {
        return new TracesEndpoint(spans);
    }

    @Bean
    @ConditionalOnMissingBean
    TraceParents traceParents(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        Tracer t = tracer.getIfAvailable();
        Propagator p = propagator.getIfAvailable();
        return t == null || p == null ? TraceParents.NONE : new TraceParents(t, p);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass(name = "org.springframework.web.server.WebFilter")
    static class ReactiveWeb {

        @Bean
        TraceIdResponseFilter traceIdResponseFilter() {
            return new TraceIdResponseFilter();
        }
    }
}
