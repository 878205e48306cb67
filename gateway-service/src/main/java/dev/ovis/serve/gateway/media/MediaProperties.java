package dev.ovis.serve.gateway.media;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Upload limits ({@code ovis.gateway.media.*}).
 *
 * @param maxBytes largest accepted upload (413 beyond)
 * @param tempDir  where uploads are spooled while hashed, {@code null} = the JVM's temp dir
 */
@Validated
@ConfigurationProperties("ovis.gateway.media")
public record MediaProperties(@DefaultValue("50MB") @NotNull DataSize maxBytes, String tempDir) {
}
