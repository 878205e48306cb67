package dev.ovis.serve.gateway.job;

import dev.ovis.serve.gateway.PeriodicWork;
import dev.ovis.serve.gateway.media.MediaService;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Deletes what would otherwise grow for ever: ids of applied job events older than
 * {@code retention.processed-events}, outbox rows published or given up longer ago than
 * {@code retention.outbox}, and media nobody uploaded or named in a request for
 * {@code retention.media} (row and object: every chat with a data URI or an image URL stores its
 * image). Batches of {@code batch-size} rows, so no statement holds locks for long; every
 * {@code interval}, on one daemon thread; idempotent, so every instance runs it. Jobs are not purged
 * (see docs/reliability.md).
 */
@Component
class RetentionPurge extends PeriodicWork {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);

    private final JdbcClient jdbc;
    private final MediaService media;
    private final RetentionProperties settings;

    RetentionPurge(JdbcClient jdbc, MediaService media, RetentionProperties settings) {
        super("retention-purge");
        this.jdbc = jdbc;
        this.media = media;
        this.settings = settings;
    }

    @Override
    protected void round() {
        purge();
    }

    @Override
    protected Duration interval() {
        return settings.interval();
    }

    /** One purge of everything due; returns the rows deleted. */
    long purge() {
        Instant now = Instant.now();
        long deleted = batches("""
                delete from processed_events where envelope_id in
                  (select envelope_id from processed_events where processed_at < :cutoff limit :limit)""",
                now.minus(settings.processedEvents()));
        deleted += batches("""
                delete from outbox where id in
                  (select id from outbox where published_at < :cutoff limit :limit)""", now.minus(settings.outbox()));
        deleted += batches("""
                delete from outbox where id in
                  (select id from outbox where given_up_at < :cutoff limit :limit)""", now.minus(settings.outbox()));
        long mediaDeleted = 0;
        int round;
        do {
            round = media.deleteUnusedSince(now.minus(settings.media()), settings.batchSize());
            mediaDeleted += round;
        } while (round == settings.batchSize());
        if (deleted + mediaDeleted > 0) {
            log.info("Retention: deleted {} old processed-event and outbox rows, {} unused media", deleted, mediaDeleted);
        }
        return deleted + mediaDeleted;
    }

    private long batches(String sql, Instant cutoff) {
        long total = 0;
        int deleted;
        do {
            deleted = jdbc.sql(sql).param("cutoff", Timestamp.from(cutoff)).param("limit", settings.batchSize()).update();
            total += deleted;
        } while (deleted == settings.batchSize());
        return total;
    }
}
