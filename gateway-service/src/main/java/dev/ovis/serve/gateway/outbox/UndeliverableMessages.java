package dev.ovis.serve.gateway.outbox;

/**
 * Told by the {@link OutboxRelay} when it gives a row up (attempts exhausted, or refused outright by
 * the broker), inside the transaction that takes the row out of the batch — so the job the row
 * belongs to fails with the reason in the same commit, and its client gets an answer.
 */
public interface UndeliverableMessages {

    /**
     * @param message the row given up ({@link OutboxMessage#key()} is the job id)
     * @param tooLarge whether the broker refused it for its size (the job's request is too large)
     * @param reason  why, for the job's failure detail
     */
    void undeliverable(OutboxMessage message, boolean tooLarge, String reason);
}
