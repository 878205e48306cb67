package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.job.DeadLetter;
import dev.ovis.serve.support.kafka.EnvelopeJson;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.kafka.UnreadableRecordRecoverer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.support.serializer.DeserializationException;

/**
 * What the job-events consumer does with an event it could not apply after its last attempt
 * (PostgreSQL rejected it: a constraint, a value it refuses, a bug in the statement): the event goes
 * to {@code ovis.dead-letters.v1} with the reason and where it was read, and its job FAILS with the
 * same reason, so neither the event nor the job's client is left without an answer. The offset is
 * committed after that (the error handler's commit-recovered); should the dead letter not be
 * published, this throws and the event is tried again. An unreadable record goes to the shared
 * {@link UnreadableRecordRecoverer} as before.
 */
final class JobEventDeadLetters implements ConsumerRecordRecoverer {

    private static final Logger log = LoggerFactory.getLogger(JobEventDeadLetters.class);

    private final JobService jobs;
    private final EnvelopePublisher publisher;
    private final EnvelopeJson json;
    private final UnreadableRecordRecoverer unreadable;
    private final int maxAttempts;
    private final Counter deadLettered;

    JobEventDeadLetters(JobService jobs, EnvelopePublisher publisher, EnvelopeJson json,
                        UnreadableRecordRecoverer unreadable, int maxAttempts, MeterRegistry meters) {
        this.jobs = jobs;
        this.publisher = publisher;
        this.json = json;
        this.unreadable = unreadable;
        this.maxAttempts = maxAttempts;
        this.deadLettered = Counter.builder("ovis.gateway.jobs.dead-lettered").tag("origin", "job-events")
                .description("job events the gateway could not apply, kept on the dead-letter topic").register(meters);
    }

    @Override
    public void accept(ConsumerRecord<?, ?> record, Exception error) {
        if (causedBy(error, DeserializationException.class) || !(record.value() instanceof Envelope<?> envelope)) {
            unreadable.accept(record, error);
            return;
        }
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        Throwable cause = rootCause(error);
        String reason = "event " + envelope.id() + " (" + envelope.type() + ") could not be applied after "
                + maxAttempts + " attempts: " + cause.getClass().getSimpleName()
                + (cause.getMessage() != null ? ": " + firstLine(cause.getMessage()) : "")
                + "; kept on " + Topics.DEAD_LETTERS;
        String jobId = envelope.subject();
        // the tenant sees the job fail with an id to quote, not PostgreSQL's message (it may name tables
        // and values); the log line and the dead letter keep the whole reason under the same id
        String errorId = UUID.randomUUID().toString();
        reason = reason + " (error_id " + errorId + ")";
        String told = "an event of this job could not be stored after " + maxAttempts + " attempts; quote error_id "
                + errorId + " when reporting it";
        log.error("Job {}: {} ({})", jobId, reason, where, error);
        publisher.publish(Topics.DEAD_LETTERS, Envelope.withId(envelope.id() + ":dead-letter", EventTypes.DEAD_LETTER,
                JobService.SOURCE, jobId, new DeadLetter(jobId, reason, "gateway job events listener, " + where,
                        record.topic(), envelope.type(), json.mapper().writeValueAsString(envelope))));
        deadLettered.increment();
        try {
            jobs.failGivenUp(jobId, told);
        } catch (RuntimeException e) { // the job stays as it is; its lease still ends it
            log.error("Job {}: could not be failed after its event was dead-lettered: {}", jobId, e.toString());
        }
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static Throwable rootCause(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
