package dev.ovis.serve.gateway.outbox;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The relay that publishes outbox rows to Kafka ({@code ovis.gateway.outbox.*}).
 *
 * @param pollInterval how often the relay looks for unpublished rows; a new row does not wait for
 *                     it: the committing thread sends it itself, or nudges the relay
 * @param batchSize    rows published per round
 * @param sendTimeout  how long a send waits for the broker's acknowledgement; also how long a new
 *                     row is left to its writer's own send before the poll may send it
 * @param maxAttempts  publishing attempts of one row before its job fails with the reason and the
 *                     row leaves the batch (a row the broker refuses outright fails at once)
 * @param backoff      wait before the second attempt; doubled for every later one
 * @param maxBackoff   longest wait between attempts
 * @param maxMessageBytes largest envelope accepted into the outbox, just below the producer's
 *                     {@code max.request.size} ({@code ovis.kafka.max-request-size}, 1 MiB) to leave
 *                     room for the record's key and headers; a job whose stage request is larger is
 *                     refused at submit (413), so its client gets an answer at once
 */
@Validated
@ConfigurationProperties("ovis.gateway.outbox")
public record OutboxProperties(@DefaultValue("1s") @NotNull Duration pollInterval,
                               @DefaultValue("100") @Min(1) int batchSize,
                               @DefaultValue("10s") @NotNull Duration sendTimeout,
                               @DefaultValue("8") @Min(1) int maxAttempts,
                               @DefaultValue("1s") @NotNull Duration backoff,
                               @DefaultValue("5m") @NotNull Duration maxBackoff,
                               @DefaultValue("960KB") @NotNull DataSize maxMessageBytes) {
}
