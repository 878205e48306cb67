package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.job.JobEvent;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.MessageListener;

/**
 * Consumes {@code ovis.job.events.v1} in group {@code ovis-gateway} and applies each event once
 * ({@link JobService#apply}). Unreadable records never get here (service-support's recoverer logs
 * and skips them); a database failure propagates, so the container retries the record — for as long
 * as PostgreSQL is unreachable, a bounded number of times when it rejects the event, which then goes
 * to the dead-letter topic ({@link JobEventDeadLetters}, set up in {@link JobMessagingConfiguration}).
 */
class JobEventsListener implements MessageListener<String, Envelope<JobEvent>> {

    private static final Logger log = LoggerFactory.getLogger(JobEventsListener.class);

    private final JobService jobs;

    JobEventsListener(JobService jobs) {
        this.jobs = jobs;
    }

    @Override
    public void onMessage(ConsumerRecord<String, Envelope<JobEvent>> record) {
        Envelope<JobEvent> envelope = record.value();
        JobEvent event = envelope.data();
        Optional<Job> applied = jobs.apply(envelope.id(), envelope.type(), event);
        if (applied.isPresent()) {
            log.debug("Job {} is {} after event {}", event.jobId(), applied.get().status(), envelope.id());
        } else {
            log.debug("Event {} for job {} ({}) not applied: seen before, unknown job or illegal transition",
                    envelope.id(), event.jobId(), event.status());
        }
    }
}
