package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.job.Stage;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The stage runtime's settings ({@code ovis.stage.*}).
 *
 * @param name             the stage this service is (vision, llm, video, ocr); when set and no
 *                         {@link StageHandler} bean exists, every job is failed with UNSUPPORTED_JOB
 * @param concurrency      consumer threads, each handling one job at a time (partitions bound it)
 * @param maxAttempts      attempts for a job failing with a transient code, the first included
 * @param retryBackoff     pause before the second attempt, doubled for each further one
 * @param maxPollInterval  the longest a handler may take before Kafka gives its partitions to another consumer
 * @param progressInterval the shortest gap between two progress events of one job
 * @param cancelledJobs    how many ids of jobs not to run (cancelled, or announced finished by the
 *                         gateway) an instance remembers
 * @param cancelledTtl     how long it remembers one
 * @param drainTimeout     how long stopping waits for the jobs under way to end before the service
 *                         closes what they use (ONNX sessions: closing one under a running inference
 *                         crashes the process); a job still running then is redelivered after restart
 * @param heartbeatInterval how often a job under way is reported alive (a heartbeat event renewing
 *                         its lease at the gateway, whose reaper re-dispatches a job whose worker
 *                         went silent); keep it well below the gateway's {@code ovis.gateway.jobs.lease}
 * @param finishedRequests how many envelope ids of requests it finished an instance remembers, to
 *                         skip one delivered again
 */
@Validated
@ConfigurationProperties("ovis.stage")
public record StageProperties(
        Stage name,
        @DefaultValue("1") @Min(1) @Max(256) int concurrency,
        @DefaultValue("3") @Min(1) int maxAttempts,
        @DefaultValue("1s") Duration retryBackoff,
        @DefaultValue("30m") Duration maxPollInterval,
        @DefaultValue("250ms") Duration progressInterval,
        @DefaultValue("10000") @Min(1) int cancelledJobs,
        @DefaultValue("1h") Duration cancelledTtl,
        @DefaultValue("2m") Duration drainTimeout,
        @DefaultValue("10s") Duration heartbeatInterval,
        @DefaultValue("10000") @Min(1) int finishedRequests) {

    public StageProperties {
        if (heartbeatInterval == null || heartbeatInterval.isZero() || heartbeatInterval.isNegative()) {
            heartbeatInterval = Duration.ofSeconds(10);
        }
    }

    /** Every default, no stage name: for tests and code outside Spring. */
    public static StageProperties defaults() {
        return new StageProperties(null, 1, 3, Duration.ofSeconds(1), Duration.ofMinutes(30), Duration.ofMillis(250),
                10_000, Duration.ofHours(1), Duration.ofMinutes(2), Duration.ofSeconds(10), 10_000);
    }
}
