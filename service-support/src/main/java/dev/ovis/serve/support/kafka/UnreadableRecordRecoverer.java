package dev.ovis.serve.support.kafka;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.Stage;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.support.serializer.DeserializationException;
import tools.jackson.databind.JsonNode;

/**
 * What happens to a record that cannot be read, or whose processing kept failing: it is logged
 * with where it sits and skipped (its offset is committed), so one bad record never blocks its
 * partition. When the record belongs to a job (the key is the job id) and the stage is known, a
 * FAILED job event says why, so the job is answered instead of waiting forever.
 */
public final class UnreadableRecordRecoverer implements ConsumerRecordRecoverer {

    private static final Logger log = LoggerFactory.getLogger(UnreadableRecordRecoverer.class);
    private static final int SNIPPET = 300;

    private final EnvelopePublisher publisher;
    private final EnvelopeJson json;
    private final String source;

    public UnreadableRecordRecoverer(EnvelopePublisher publisher, EnvelopeJson json, String source) {
        this.publisher = publisher;
        this.json = json;
        this.source = source;
    }

    @Override
    public void accept(ConsumerRecord<?, ?> record, Exception exception) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        DeserializationException unreadable = findDeserializationException(exception);
        String jobId = record.key() instanceof String key && !key.isBlank() ? key : null;
        if (unreadable == null) {
            log.error("Giving up on record {} (job {}) after retries; skipping it", where, jobId, exception);
            return;
        }
        String reason = unreadable.getCause() != null ? unreadable.getCause().getMessage() : unreadable.getMessage();
        log.error("Skipping unreadable record {} (key {}): {}; value starts with: {}", where, jobId, reason,
                snippet(unreadable.getData()));
        if (jobId == null) {
            return;
        }
        Optional<Stage> requestStage = Topics.stageOfRequests(record.topic());
        if (requestStage.isPresent()) {
            reportFailed(jobId, requestStage.get(), new Failure(ErrorCode.INVALID_REQUEST,
                    "the request for this job could not be read (" + where + "): " + reason));
        } else if (record.topic().equals(Topics.JOB_EVENTS.name())) {
            // Only a lost terminal event leaves a job waiting forever; a lost progress event does not.
            stageOfTerminalEvent(unreadable.getData()).ifPresent(stage -> reportFailed(jobId, stage, new Failure(
                    ErrorCode.INTERNAL, "an event of this job could not be read (" + where + "): " + reason)));
        }
    }

    private void reportFailed(String jobId, Stage stage, Failure failure) {
        String id = jobId + ":" + stage.name().toLowerCase(Locale.ROOT) + ":failed";
        try {
            publisher.publish(Topics.JOB_EVENTS,
                    Envelope.withId(id, EventTypes.JOB_FAILED, source, jobId, JobEvent.failed(jobId, stage, failure)));
        } catch (RuntimeException e) {
            log.error("Could not report job {} as failed after an unreadable record: {}", jobId, e.toString());
        }
    }

    private Optional<Stage> stageOfTerminalEvent(byte[] data) {
        if (data == null) {
            return Optional.empty();
        }
        try {
            JsonNode event = json.mapper().readTree(data).path("data");
            JsonNode stage = event.path("stage");
            JsonNode status = event.path("status");
            if (!stage.isString() || !status.isString() || !JobStatus.valueOf(status.asString()).isTerminal()) {
                return Optional.empty();
            }
            return Optional.of(Stage.valueOf(stage.asString()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static DeserializationException findDeserializationException(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DeserializationException d) {
                return d;
            }
        }
        return null;
    }

    private static String snippet(byte[] data) {
        if (data == null) {
            return "(no value)";
        }
        String text = new String(data, 0, Math.min(data.length, SNIPPET), StandardCharsets.UTF_8);
        return data.length > SNIPPET ? text + "…" : text;
    }
}
