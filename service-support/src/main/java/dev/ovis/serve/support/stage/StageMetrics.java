package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Stage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;

/**
 * Micrometer meters of one stage: {@code ovis.stage.jobs} (outcome), {@code ovis.stage.jobs.failed}
 * (error code) and the {@code ovis.stage.handle} timer (outcome), all tagged with the stage.
 */
final class StageMetrics {

    /** How a job left this stage. */
    enum Outcome { FORWARDED, SUCCEEDED, FAILED, CANCELLED }

    private final MeterRegistry registry;
    private final String stage;

    StageMetrics(MeterRegistry registry, Stage stage) {
        this.registry = registry;
        this.stage = stage.name().toLowerCase(Locale.ROOT);
    }

    void handled(Outcome outcome, Duration took) {
        String tag = outcome.name().toLowerCase(Locale.ROOT);
        Counter.builder("ovis.stage.jobs").description("jobs handled by the stage")
                .tags("stage", stage, "outcome", tag).register(registry).increment();
        Timer.builder("ovis.stage.handle").description("time from taking a job to publishing its outcome")
                .tags("stage", stage, "outcome", tag).register(registry).record(took);
    }

    void failed(ErrorCode code) {
        Counter.builder("ovis.stage.jobs.failed").description("jobs the stage failed, by error code")
                .tags("stage", stage, "code", code.name()).register(registry).increment();
    }
}
