package dev.ovis.serve.gateway.limit;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How much JSON request body one gateway instance holds at once ({@code ovis.gateway.body-budget.*};
 * see {@link BodyBudget}).
 *
 * @param enabled  whether JSON bodies are counted at all
 * @param maxBytes the bytes of JSON bodies that requests in progress may hold together (256 MB: four
 *                 chats with 60 MB of data URIs each, or a few hundred thousand ordinary ones)
 */
@Validated
@ConfigurationProperties("ovis.gateway.body-budget")
public record BodyBudgetProperties(@DefaultValue("true") boolean enabled,
                                   @DefaultValue("256MB") @NotNull DataSize maxBytes) {
}
