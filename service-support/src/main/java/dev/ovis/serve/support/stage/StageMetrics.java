package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Stage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Micrometer meters of one stage: {@code ovis.stage.jobs} (outcome), {@code ovis.stage.jobs.failed}
 * (error code), the {@value #DURATION} histogram (outcome) — for the OCR and video stages this is
 * the OCR and key-frame latency — and the {@value #QUEUE_TIME} histogram (how long a request sat
 * on Kafka before this stage took it), all tagged with the stage.
 */
final class StageMetrics {

    /** How a job left this stage. */
    enum Outcome {
        FORWARDED, SUCCEEDED, FAILED, CANCELLED,
        /** not run: the job had finished, or this instance had finished the same request */
        SKIPPED,
        /** given back to the stage's topic for another instance: this one stopped under it */
        HANDED_OVER
    }

    /** Histogram: time from taking a job to publishing its outcome. */
    static final String DURATION = "ovis:stage_duration_seconds";
    /** Histogram: time from publishing a request to this stage taking it. */
    static final String QUEUE_TIME = "ovis:stage_queue_time_seconds";

    private static final Duration[] BUCKETS = Stream.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            10.0, 30.0, 60.0, 120.0, 300.0, 600.0).map(s -> Duration.ofNanos((long) (s * 1e9))).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final String stage;
    private final Timer queueTime;

    StageMetrics(MeterRegistry registry, Stage stage) {
        this.registry = registry;
        this.stage = stage.name().toLowerCase(Locale.ROOT);
        this.queueTime = Timer.builder(QUEUE_TIME).description("time a request waited on Kafka for this stage")
                .tags("stage", this.stage).serviceLevelObjectives(BUCKETS).register(registry);
    }

    /** A request was taken {@code waited} after it was published (negative clock skew counts as zero). */
    void queued(Duration waited) {
        queueTime.record(waited.isNegative() ? Duration.ZERO : waited);
    }

    void handled(Outcome outcome, Duration took) {
        String tag = outcome.name().toLowerCase(Locale.ROOT);
        Counter.builder("ovis.stage.jobs").description("jobs handled by the stage")
                .tags("stage", stage, "outcome", tag).register(registry).increment();
        Timer.builder(DURATION).description("time from taking a job to publishing its outcome")
                .tags("stage", stage, "outcome", tag).serviceLevelObjectives(BUCKETS).register(registry).record(took);
    }

    void failed(ErrorCode code) {
        Counter.builder("ovis.stage.jobs.failed").description("jobs the stage failed, by error code")
                .tags("stage", stage, "code", code.name()).register(registry).increment();
    }
}
