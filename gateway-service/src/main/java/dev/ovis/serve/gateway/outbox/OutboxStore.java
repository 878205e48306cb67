package dev.ovis.serve.gateway.outbox;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/** Where outbox rows live; {@link JdbcOutboxStore} in production. Blocking. */
interface OutboxStore {

    /**
     * Adds a row inside the caller's transaction and returns its id. {@code envelope} is the
     * serialized envelope, kept byte for byte; {@code traceparent} is the W3C trace context of the
     * request that wrote it (null: none), so the send continues that request's trace. The row is not
     * due for {@link #lockUnpublished} before {@code dueIn} from now: the writer sends it itself
     * right after the commit, and the poll is the fallback.
     */
    long append(String topic, String key, byte[] envelope, String traceparent, Duration dueIn);

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
