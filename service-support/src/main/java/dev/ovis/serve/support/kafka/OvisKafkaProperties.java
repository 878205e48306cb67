package dev.ovis.serve.support.kafka;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The suite's Kafka settings beyond {@code spring.kafka.*} ({@code ovis.kafka.*}).
 *
 * @param createTopics       create the suite's topics at start-up (an existing topic is left as it is)
 * @param requestPartitions  partitions of each stage's request topic: the most consumers a stage can use
 * @param jobEventPartitions partitions of the job-events topic
 * @param replicationFactor  replicas per partition, or {@code null} for the broker's default
 * @param publishTimeout     how long a publish waits for the broker's ack
 * @param maxRequestSize     the producer's {@code max.request.size}, set deliberately rather than left to
 *                           the client's default: the largest record any service may publish. The broker's
 *                           {@code message.max.bytes} must be at least this; the gateway refuses a job whose
 *                           stage request would not fit ({@code ovis.gateway.outbox.max-message-bytes},
 *                           a little below). {@code spring.kafka.producer.properties.max.request.size} wins.
 */
@Validated
@ConfigurationProperties("ovis.kafka")
public record OvisKafkaProperties(
        @DefaultValue("true") boolean createTopics,
        @DefaultValue("16") @Min(1) int requestPartitions,
        @DefaultValue("8") @Min(1) int jobEventPartitions,
        Short replicationFactor,
        @DefaultValue("30s") Duration publishTimeout,
        @DefaultValue("1MB") DataSize maxRequestSize) {
}
