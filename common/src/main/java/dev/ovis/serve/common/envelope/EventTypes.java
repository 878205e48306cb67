package dev.ovis.serve.common.envelope;

/** The {@link Envelope#type()} values used on the suite's topics. */
public final class EventTypes {

    /** A stage is asked to work on a job ({@code StageRequest}). */
    public static final String STAGE_REQUEST = "ovis.stage.request";
    /** A stage started on a job. */
    public static final String JOB_STARTED = "ovis.job.started";
    /** A stage reports progress on a job. */
    public static final String JOB_PROGRESS = "ovis.job.progress";
    /**
     * A stage is still working on a job (a RUNNING {@code JobEvent} with nothing else): renews the
     * job's lease at the gateway, which neither records nor shows it.
     */
    public static final String JOB_HEARTBEAT = "ovis.job.heartbeat";
    /**
     * A stage finished its part and handed the job to the next stage's queue (a RUNNING {@code
     * JobEvent}): the gateway gives the job the longer lease of a queued job.
     */
    public static final String JOB_FORWARDED = "ovis.job.forwarded";
    /** The last stage finished a job with a result. */
    public static final String JOB_SUCCEEDED = "ovis.job.succeeded";
    /** A stage failed a job, with a reason. */
    public static final String JOB_FAILED = "ovis.job.failed";
    /** A stage stopped a job because it was cancelled. */
    public static final String JOB_CANCELLED = "ovis.job.cancelled";
    /** A piece of streamed output for a gateway instance. */
    public static final String STREAM_CHUNK = "ovis.stream.chunk";
    /** An llm instance announces a model it serves. */
    public static final String MODEL_ANNOUNCED = "ovis.model.announced";
    /** Stop a job wherever it runs. */
    public static final String CANCEL = "ovis.control.cancel";
    /** A job finished (a {@code CancelRequest} with {@code finished} set): no stage may run it again. */
    public static final String JOB_FINISHED = "ovis.control.finished";
    /** A record the suite gave up on ({@code DeadLetter}), on the dead-letter topic. */
    public static final String DEAD_LETTER = "ovis.dead-letter";

    private EventTypes() {
    }
}
