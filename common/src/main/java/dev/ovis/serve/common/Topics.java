package dev.ovis.serve.common;

import dev.ovis.serve.common.job.Stage;

/**
 * Every Kafka topic name of the suite, in one place. Names are versioned ({@code .v1}); evolution is
 * additive and a breaking change gets a new version.
 *
 * <p>Who writes and who reads:
 * <ul>
 *   <li>{@code ovis.<stage>.requests.v1} — a {@link dev.ovis.serve.common.job.StageRequest} for the
 *       stage; written by the gateway (first stage) or the previous stage; read by the stage's
 *       consumer group.</li>
 *   <li>{@link #JOB_EVENTS} — {@link dev.ovis.serve.common.job.JobEvent}s (started, progress,
 *       succeeded, failed); read by the gateway's consumer group, the sole writer of job state.</li>
 *   <li>{@link #stream(String)} — {@link dev.ovis.serve.common.chat.StreamChunk}s for one gateway
 *       instance, the one holding the client's connection (no broadcast of tokens).</li>
 *   <li>{@link #CONTROL} — {@link dev.ovis.serve.common.job.CancelRequest}s, read by every instance
 *       of every stage (each instance with its own group), so a running job stops wherever it is;
 *       the same message with {@code finished} set announces a job's end, so no stage runs it again.</li>
 *   <li>{@link #DEAD_LETTERS} — {@link dev.ovis.serve.common.job.DeadLetter}s: a record the suite gave
 *       up on (a stage request whose every dispatch lost its worker, a job event the gateway could
 *       not apply), with the reason and where it came from; written by the gateway, read by
 *       operators (nothing in the suite consumes it).</li>
 *   <li>{@link #MODELS} — {@link dev.ovis.serve.common.model.ModelInfo} announcements by llm
 *       instances, read by every gateway instance (own group each) for {@code GET /v1/models}.</li>
 * </ul>
 */
public final class Topics {

    /** Requests for the video stage (key-frame selection). */
    public static final String VIDEO_REQUESTS = "ovis.video.requests.v1";
    /** Requests for the vision stage (preprocessing and visual embeddings). */
    public static final String VISION_REQUESTS = "ovis.vision.requests.v1";
    /** Requests for the llm stage (prompt building and decoding). */
    public static final String LLM_REQUESTS = "ovis.llm.requests.v1";
    /** Requests for the OCR stage. */
    public static final String OCR_REQUESTS = "ovis.ocr.requests.v1";
    /** Status, progress and results of jobs, consumed by the gateway. */
    public static final String JOB_EVENTS = "ovis.job.events.v1";
    /** Cancellations, consumed by every stage instance. */
    public static final String CONTROL = "ovis.control.v1";
    /** Records given up on, with the reason ({@link dev.ovis.serve.common.job.DeadLetter}); read by operators. */
    public static final String DEAD_LETTERS = "ovis.dead-letters.v1";
    /** Models served by llm instances ({@link dev.ovis.serve.common.model.ModelInfo}), compacted, keyed by model id. */
    public static final String MODELS = "ovis.models.v1";
    /**
     * Batch requests from pipelines: the value is one line of the OpenAI batch input format, the
     * header {@code authorization: Bearer <API key>} names the tenant (docs/asyncapi.yaml). Not an
     * envelope: this is a public interface.
     */
    public static final String BATCH_REQUESTS = "ovis.batch.requests.v1";
    /** Default reply topic of {@link #BATCH_REQUESTS}: OpenAI batch output lines keyed by {@code custom_id}. */
    public static final String BATCH_RESULTS = "ovis.batch.results.v1";

    private static final String STREAM_PREFIX = "ovis.stream.v1.";

    private Topics() {
    }

    /** The request topic of a stage. */
    public static String requests(Stage stage) {
        return switch (stage) {
            case VIDEO -> VIDEO_REQUESTS;
            case VISION -> VISION_REQUESTS;
            case LLM -> LLM_REQUESTS;
            case OCR -> OCR_REQUESTS;
        };
    }

    /**
     * The stream topic of one gateway instance.
     *
     * @param gatewayInstance the instance id, letters, digits, '-' and '_' only
     */
    public static String stream(String gatewayInstance) {
        if (gatewayInstance == null || !gatewayInstance.matches("[A-Za-z0-9_-]{1,100}")) {
            throw new IllegalArgumentException("gateway instance id must match [A-Za-z0-9_-]{1,100}: " + gatewayInstance);
        }
        return STREAM_PREFIX + gatewayInstance;
    }
}
