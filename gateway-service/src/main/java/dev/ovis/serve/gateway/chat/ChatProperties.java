package dev.ovis.serve.gateway.chat;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The chat API's settings ({@code ovis.gateway.chat.*}).
 *
 * @param defaultMaxTokens  new tokens when a request names no limit (the reference's 1024)
 * @param maxTokensLimit    the largest {@code max_tokens} accepted
 * @param timeout           longest a request waits for its answer (504 beyond); the job is cancelled
 * @param maxRequestBytes   largest request body (data URIs included); 413 beyond
 * @param maxImages         most image parts in one request (400 beyond)
 * @param maxVideos         most video parts in one request (400 beyond)
 * @param mediaConcurrency  media parts of one request fetched or decoded at the same time
 * @param bytesPerToken     UTF-8 bytes one token is taken to cover at most, on average over a prompt: a prompt
 *                          whose text bytes divided by this already exceed the model's context is answered
 *                          400 context_length_exceeded at once, without a trip through the stages (which count
 *                          exactly). High enough that no real prompt is refused by this cheap lower bound.
 */
@Validated
@ConfigurationProperties("ovis.gateway.chat")
public record ChatProperties(
        @DefaultValue("1024") @Min(1) @Max(32768) int defaultMaxTokens,
        @DefaultValue("8192") @Min(1) @Max(32768) int maxTokensLimit,
        @DefaultValue("10m") @NotNull Duration timeout,
        @DefaultValue("72MB") @NotNull DataSize maxRequestBytes,
        @DefaultValue("16") @Min(0) int maxImages,
        @DefaultValue("2") @Min(0) int maxVideos,
        @DefaultValue("4") @Min(1) int mediaConcurrency,
        @DefaultValue("32") @Min(1) int bytesPerToken) {
}
