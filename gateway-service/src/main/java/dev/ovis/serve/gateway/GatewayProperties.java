package dev.ovis.serve.gateway;

import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * This gateway instance's identity ({@code ovis.gateway.instance-id}); every default works out of the
 * box. Each feature binds its own settings below {@code ovis.gateway} in its own package
 * ({@code ovis.gateway.auth.*} in {@code gateway.auth.AuthProperties}, {@code ovis.gateway.jobs.*} in
 * {@code gateway.job.JobsProperties} …, see docs/gateway.md); the instance id stays here because
 * jobs (stream topic, {@code replyTo}) and the model catalogue (consumer group) both name it.
 *
 * @param instanceId this instance's id: names its stream topic ({@code ovis.stream.v1.<id>}) and is
 *                   the {@code replyTo} of streamed jobs; give every instance its own (e.g. the pod name)
 */
@Validated
@ConfigurationProperties("ovis.gateway")
public record GatewayProperties(
        @DefaultValue("gateway-local") @Pattern(regexp = "[A-Za-z0-9_-]{1,100}") String instanceId) {
}
