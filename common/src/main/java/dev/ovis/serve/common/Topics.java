package dev.ovis.serve.common;

import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.job.CancelRequest;
import dev.ovis.serve.common.job.DeadLetter;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.model.ModelInfo;
import java.util.List;
import java.util.Optional;

/**
 * Every Kafka topic of the suite, in one place. Names are versioned ({@code .v1}); evolution is
 * additive and a breaking change gets a new version. The envelope topics are typed {@link Topic}s;
 * the batch topics are plain names because their values are not envelopes.
 *
 * <p>Who writes and who reads:
 * <ul>
 *   <li>{@link #requests(Stage)} ({@code ovis.<stage>.requests.v1}) — a {@link StageRequest} for the
 *       stage; written by the gateway (first stage) or the previous stage; read by the stage's
 *       consumer group.</li>
 *   <li>{@link #JOB_EVENTS} — {@link JobEvent}s (started, progress, succeeded, failed); read by the
 *       gateway's consumer group, the sole writer of job state.</li>
 *   <li>{@link #stream(String)} — {@link StreamChunk}s for one gateway instance, the one holding the
 *       client's connection (no broadcast of tokens).</li>
 *   <li>{@link #CONTROL} — {@link CancelRequest}s, read by every instance of every stage (each
 *       instance with its own group), so a running job stops wherever it is; the same message with
 *       {@code finished} set announces a job's end, so no stage runs it again.</li>
 *   <li>{@link #DEAD_LETTERS} — {@link DeadLetter}s: a record the suite gave up on (a stage request
 *       whose every dispatch lost its worker, a job event the gateway could not apply), with the
 *       reason and where it came from; written by the gateway, read by operators (nothing in the
 *       suite consumes it).</li>
 *   <li>{@link #MODELS} — {@link ModelInfo} announcements by llm instances, read by every gateway
 *       instance (own group each) for {@code GET /v1/models}.</li>
 * </ul>
 */
public final class Topics {

    /** Requests for the video stage (key-frame selection). */
    public static final Topic<StageRequest> VIDEO_REQUESTS = new Topic<>("ovis.video.requests.v1", StageRequest.class);
    /** Requests for the vision stage (preprocessing and visual embeddings). */
    public static final Topic<StageRequest> VISION_REQUESTS = new Topic<>("ovis.vision.requests.v1", StageRequest.class);
    /** Requests for the llm stage (prompt building and decoding). */
    public static final Topic<StageRequest> LLM_REQUESTS = new Topic<>("ovis.llm.requests.v1", StageRequest.class);
    /** Requests for the OCR stage. */
    public static final Topic<StageRequest> OCR_REQUESTS = new Topic<>("ovis.ocr.requests.v1", StageRequest.class);
    /** Status, progress and results of jobs, consumed by the gateway. */
    public static final Topic<JobEvent> JOB_EVENTS = new Topic<>("ovis.job.events.v1", JobEvent.class);
    /** Cancellations, consumed by every stage instance. */
    public static final Topic<CancelRequest> CONTROL = new Topic<>("ovis.control.v1", CancelRequest.class);
    /** Records given up on, with the reason; read by operators. */
    public static final Topic<DeadLetter> DEAD_LETTERS = new Topic<>("ovis.dead-letters.v1", DeadLetter.class);
    /** Models served by llm instances, compacted, keyed by model id. */
    public static final Topic<ModelInfo> MODELS = new Topic<>("ovis.models.v1", ModelInfo.class);
    /**
     * Batch requests from pipelines: the value is one line of the OpenAI batch input format, the
     * header {@code authorization: Bearer <API key>} names the tenant (docs/asyncapi.yaml). Not an
     * envelope, so a plain name: this is a public interface.
     */
    public static final String BATCH_REQUESTS = "ovis.batch.requests.v1";
    /**
     * Default reply topic of {@link #BATCH_REQUESTS}: OpenAI batch output lines keyed by
     * {@code custom_id}. Not an envelope, so a plain name.
     */
    public static final String BATCH_RESULTS = "ovis.batch.results.v1";

    private static final String STREAM_PREFIX = "ovis.stream.v1.";
    private static final String INSTANCE_ID = "[A-Za-z0-9_-]{1,100}";
    /** The envelope topics with a fixed name (the stream topics are one per gateway instance). */
    private static final List<Topic<?>> FIXED = List.of(VIDEO_REQUESTS, VISION_REQUESTS, LLM_REQUESTS, OCR_REQUESTS,
            JOB_EVENTS, CONTROL, DEAD_LETTERS, MODELS);

    private Topics() {
    }

    /** The request topic of a stage. */
    public static Topic<StageRequest> requests(Stage stage) {
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
    public static Topic<StreamChunk> stream(String gatewayInstance) {
        if (gatewayInstance == null || !gatewayInstance.matches(INSTANCE_ID)) {
            throw new IllegalArgumentException("gateway instance id must match " + INSTANCE_ID + ": " + gatewayInstance);
        }
        return new Topic<>(STREAM_PREFIX + gatewayInstance, StreamChunk.class);
    }

    /**
     * The envelope topic with this name, for code that has only a record's topic name (a record that
     * could not be read, a dead letter); empty for a batch topic or a name that is not the suite's.
     */
    public static Optional<Topic<?>> named(String name) {
        if (name == null) {
            return Optional.empty();
        }
        if (name.startsWith(STREAM_PREFIX) && name.substring(STREAM_PREFIX.length()).matches(INSTANCE_ID)) {
            return Optional.of(stream(name.substring(STREAM_PREFIX.length())));
        }
        return FIXED.stream().filter(topic -> topic.name().equals(name)).<Topic<?>>map(topic -> topic).findFirst();
    }

    /** The stage whose request topic is named {@code name}, or empty. */
    public static Optional<Stage> stageOfRequests(String name) {
        for (Stage stage : Stage.values()) {
            if (requests(stage).name().equals(name)) {
                return Optional.of(stage);
            }
        }
        return Optional.empty();
    }
}
