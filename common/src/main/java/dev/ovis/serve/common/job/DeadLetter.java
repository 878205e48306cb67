package dev.ovis.serve.common.job;

/**
 * A record the suite gave up on, on {@link dev.ovis.serve.common.Topics#DEAD_LETTERS} (keyed by the
 * job id): kept for an operator to read, replay or discard; nothing in the suite consumes it. Its
 * job has been failed with the same {@code reason}.
 *
 * @param jobId      the job the record belongs to
 * @param reason     why it was given up, as the job's failure detail says
 * @param origin     who gave up and where the record was: e.g. {@code gateway job reaper} or
 *                   {@code gateway job events listener, ovis.job.events.v1-3@1207}
 * @param topic      the topic the record was (or was to be) published on
 * @param recordType the record's envelope type, e.g. {@code ovis.stage.request}
 * @param record     the record's envelope as JSON, exactly as it was published
 */
public record DeadLetter(String jobId, String reason, String origin, String topic, String recordType, String record) {

    public DeadLetter {
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("jobId must not be blank");
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason must not be blank");
        }
        if (origin == null || origin.isBlank() || topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("origin and topic must not be blank");
        }
        if (record == null) {
            throw new IllegalArgumentException("record must not be null");
        }
    }
}
