package dev.ovis.serve.gateway.outbox;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/** Where outbox rows live; {@link JdbcOutboxStore} in production. Blocking. */
interface OutboxStore {

    /** Adds a row, inside the caller's transaction; {@code envelope} is the serialized envelope, kept byte for byte. */
    void append(String topic, String key, byte[] envelope);

    /**
     * Adds a row carrying the W3C {@code traceparent} of the request that wrote it (null: none),
     * so the relay's send continues that request's trace. Stores without the column drop it.
     */
    default void append(String topic, String key, byte[] envelope, String traceparent) {
        append(topic, key, envelope);
    }

    /**
     * Up to {@code limit} unpublished rows that are due (not waiting out a back-off, not given up),
     * in id order, locked until the surrounding transaction ends (rows another relay holds are
     * skipped, so two gateway instances never publish the same batch).
     */
    List<OutboxMessage> lockUnpublished(int limit);

    void markPublished(Collection<Long> ids);

    /** Counts a failed attempt; the row is not due again before {@code retryAfter} from now. */
    void markFailed(long id, String error, Duration retryAfter);

    /** Counts the last failed attempt and takes the row out of every later batch. */
    void giveUp(long id, String error);

    /** How many rows wait (given-up rows excluded) and how old the oldest is ({@link Duration#ZERO} when none). */
    Backlog backlog();

    record Backlog(long pending, Duration oldest) {
    }
}
