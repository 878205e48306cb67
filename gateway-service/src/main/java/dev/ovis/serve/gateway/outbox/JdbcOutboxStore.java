package dev.ovis.serve.gateway.outbox;

import dev.ovis.serve.gateway.StorableText;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code outbox} table in PostgreSQL. */
@Repository
class JdbcOutboxStore implements OutboxStore {

    private final JdbcClient jdbc;

    JdbcOutboxStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public long append(String topic, String key, byte[] envelope, String traceparent, Duration dueIn) {
        // bytea: the bytes are kept as written (jsonb would reorder and respace them, and refuse an escaped NUL)
        return jdbc.sql("""
                insert into outbox (topic, message_key, envelope, traceparent, next_attempt_at)
                values (:topic, :key, :envelope, :traceparent, now() + cast(:seconds as double precision) * interval '1 second')
                returning id""")
                .param("topic", topic).param("key", key).param("envelope", envelope, Types.BINARY)
                .param("traceparent", traceparent, Types.VARCHAR).param("seconds", dueIn.toMillis() / 1000.0)
                .query(Long.class).single();
    }

    @Override
    public List<OutboxMessage> lockUnpublished(int limit) {
        return jdbc.sql("""
                select id, topic, message_key, envelope, attempts, traceparent from outbox
                where published_at is null and given_up_at is null and next_attempt_at <= now()
                order by id limit :limit for update skip locked""")
                .param("limit", limit)
                .query((rs, n) -> new OutboxMessage(rs.getLong("id"), rs.getString("topic"), rs.getString("message_key"),
                        rs.getBytes("envelope"), rs.getInt("attempts"), rs.getString("traceparent")))
                .list();
    }

    @Override
    public void markPublished(Collection<Long> ids) {
        if (!ids.isEmpty()) {
            jdbc.sql("update outbox set published_at = now() where id in (:ids)").param("ids", ids).update();
        }
    }

    @Override
    public void markFailed(long id, String error, Duration retryAfter) {
        jdbc.sql("""
                update outbox set attempts = attempts + 1, last_error = :error,
                                  next_attempt_at = now() + cast(:seconds as double precision) * interval '1 second'
                where id = :id""")
                .param("id", id).param("error", StorableText.replaceNul(error))
                .param("seconds", retryAfter.toMillis() / 1000.0).update();
    }

    @Override
    public void giveUp(long id, String error) {
        jdbc.sql("update outbox set attempts = attempts + 1, last_error = :error, given_up_at = now() where id = :id")
                .param("id", id).param("error", StorableText.replaceNul(error)).update();
    }

    @Override
    public Backlog backlog() {
        return jdbc.sql("select count(*) as pending, min(created_at) as oldest from outbox where published_at is null and given_up_at is null")
                .query((rs, n) -> {
                    Timestamp oldest = rs.getTimestamp("oldest");
                    Duration age = oldest == null ? Duration.ZERO : Duration.between(oldest.toInstant(), Instant.now());
                    return new Backlog(rs.getLong("pending"), age.isNegative() ? Duration.ZERO : age);
                })
                .single();
    }
}
