package dev.ovis.serve.gateway.files;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The Files API ({@code ovis.gateway.files.*}).
 *
 * @param maxBytes largest upload (413 beyond); OpenAI's batch input limit is 200 MB
 * @param tempDir  where uploads are spooled while hashed, {@code null} = the JVM's temp dir
 */
@Validated
@ConfigurationProperties("ovis.gateway.files")
public record FilesProperties(@DefaultValue("200MB") @NotNull DataSize maxBytes, String tempDir) {
}
