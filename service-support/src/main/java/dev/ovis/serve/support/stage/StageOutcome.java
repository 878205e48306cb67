package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobResult;
import java.util.Objects;

/** What a {@link StageHandler} did with a job: pass it on, or finish it. */
public sealed interface StageOutcome {

    /**
     * Publish the job to the next stage on its route with this (possibly enriched) payload.
     * Returning it from the last stage of a route is a bug and fails the job with INTERNAL.
     */
    record Forward(JobPayload payload) implements StageOutcome {
        public Forward {
            Objects.requireNonNull(payload, "payload");
        }
    }

    /** Report the job SUCCEEDED with its result. */
    record Complete(JobResult result) implements StageOutcome {
        public Complete {
            Objects.requireNonNull(result, "result");
        }
    }

    static StageOutcome forward(JobPayload payload) {
        return new Forward(payload);
    }

    static StageOutcome complete(JobResult result) {
        return new Complete(result);
    }
}
