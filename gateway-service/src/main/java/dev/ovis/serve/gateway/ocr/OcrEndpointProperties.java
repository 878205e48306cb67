package dev.ovis.serve.gateway.ocr;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code POST /v1/ocr} settings ({@code ovis.gateway.ocr.*}).
 *
 * @param syncMaxBytes    images up to this size are answered synchronously; larger ones become jobs (202)
 * @param syncTimeout     how long a synchronous request waits before answering 202 with the job
 * @param maxRequestBytes largest JSON body (data URIs included)
 */
@Validated
@ConfigurationProperties("ovis.gateway.ocr")
public record OcrEndpointProperties(@DefaultValue("8MB") @NotNull DataSize syncMaxBytes,
                                    @DefaultValue("60s") @NotNull Duration syncTimeout,
                                    @DefaultValue("72MB") @NotNull DataSize maxRequestBytes) {
}
