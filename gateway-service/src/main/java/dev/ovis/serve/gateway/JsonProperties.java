package dev.ovis.serve.gateway;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits checked by the JSON parser itself ({@code ovis.gateway.json.*}), so a hostile body is refused
 * while it is read, before it becomes a large tree (a flat array of millions of empty arrays is small
 * on the wire and huge in memory). A body's size is bounded by its endpoint's own
 * {@code max-request-bytes}.
 *
 * <p>In the gateway's root package, not a feature's: {@link JsonBody}, which applies them, reads the
 * JSON bodies of every feature's endpoints (jobs, chat, OCR, key frames, batches).
 *
 * @param maxDepth        deepest nesting of arrays and objects (400 beyond)
 * @param maxTokens       most JSON tokens (each value, bracket and member name is one; 413 beyond)
 * @param maxNumberLength longest number literal in characters (400 beyond)
 * @param maxNameLength   longest member name in characters (400 beyond)
 */
@Validated
@ConfigurationProperties("ovis.gateway.json")
public record JsonProperties(@DefaultValue("64") @Min(4) int maxDepth,
                             @DefaultValue("200000") @Min(100) long maxTokens,
                             @DefaultValue("100") @Min(10) int maxNumberLength,
                             @DefaultValue("1000") @Min(10) int maxNameLength) {
}
