package dev.ovis.serve.gateway.auth;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * API keys ({@code ovis.gateway.auth.*}).
 *
 * @param keys        API key → tenant
 * @param generateKey with no key configured: generate a random key for tenant {@code default} at
 *                    start-up and log it on a line containing "API key" (a local run), or, when
 *                    {@code false}, refuse to start. Images, compose and Kubernetes set it to
 *                    {@code false}: a key generated per pod would differ on every pod and restart.
 * @param adminKeys   keys that open {@code /actuator/**} (metrics, traces) besides the health
 *                    probes, which are open to all; no tenant key does. Empty: the actuator is
 *                    closed on this gateway (scrape the metrics with an admin key configured)
 */
@ConfigurationProperties("ovis.gateway.auth")
public record AuthProperties(Map<String, String> keys, @DefaultValue("true") boolean generateKey, List<String> adminKeys) {
    public AuthProperties {
        keys = keys == null ? Map.of() : Map.copyOf(keys);
        adminKeys = adminKeys == null ? List.of() : List.copyOf(adminKeys);
    }
}
