package dev.ovis.serve.gateway.problem;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How much of a request body the gateway still reads, and throws away, after it has decided to
 * refuse the request ({@code ovis.gateway.unread-body.*}; see {@link UnreadBody}).
 *
 * @param maxBytes at most this much is read past the point of refusal; beyond it the connection is
 *                 closed and the client may see a reset instead of the answer (Tomcat's
 *                 {@code maxSwallowSize} is the same idea, 2 MB there)
 * @param timeout  at most this long is spent reading it (a client that trickles its body)
 */
@Validated
@ConfigurationProperties("ovis.gateway.unread-body")
public record UnreadBodyProperties(@DefaultValue("8MB") @NotNull DataSize maxBytes,
                                   @DefaultValue("10s") @NotNull Duration timeout) {
}
