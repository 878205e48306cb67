package dev.ovis.serve.gateway.limit;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Per-tenant request rate limits ({@code ovis.gateway.limits.*}) for the endpoints that start work
 * (every {@code POST} under {@code /v1/}). A token bucket: {@code burst} requests at once, refilled
 * at {@code requestsPerMinute}. Beyond it: 429 with {@code Retry-After}.
 *
 * @param enabled           whether limits apply
 * @param requestsPerMinute sustained rate per tenant
 * @param burst             requests a tenant may make at once after being idle
 * @param tokensPerTake     most tokens an instance takes from the shared bucket in one transaction
 *                          and then spends without the database; see {@link #tokensPerTakeFor()}
 */
@Validated
@ConfigurationProperties("ovis.gateway.limits")
public record RateLimitProperties(@DefaultValue("true") boolean enabled,
                                  @DefaultValue("600") @Min(1) int requestsPerMinute,
                                  @DefaultValue("100") @Min(1) int burst,
                                  @DefaultValue("5") @Min(1) int tokensPerTake) {

    /**
     * The tokens taken at once: {@code tokensPerTake}, but at most a twentieth of the burst and at
     * least one. Tokens one instance holds are not available to the others, so with a small burst
     * (under 40) every request takes its own token from the shared bucket, exactly as configured.
     */
    public int tokensPerTakeFor() {
        return Math.max(1, Math.min(tokensPerTake, burst / 20));
    }
}
