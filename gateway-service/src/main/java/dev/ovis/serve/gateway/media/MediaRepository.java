package dev.ovis.serve.gateway.media;

import dev.ovis.serve.common.media.MediaRef;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code media} table. Blocking: call it on {@code BlockingSchedulers.db()}. */
@Repository
class MediaRepository {

    private static final RowMapper<MediaRecord> ROW = MediaRepository::map;

    private final JdbcClient jdbc;

    MediaRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records an upload; the same content uploaded again by the same tenant keeps its first id. */
    MediaRecord save(String tenant, MediaRef ref) {
        jdbc.sql("""
                insert into media (id, tenant, bucket, object_key, sha256, content_type, size)
                values (:id, :tenant, :bucket, :key, :sha256, :type, :size)
                on conflict (tenant, sha256) do update set last_used_at = now()""")
                .param("id", UUID.randomUUID().toString())
                .param("tenant", tenant)
                .param("bucket", ref.bucket())
                .param("key", ref.key())
                .param("sha256", ref.sha256())
                .param("type", ref.contentType())
                .param("size", ref.size())
                .update();
        return jdbc.sql("select * from media where tenant = :tenant and sha256 = :sha256")
                .param("tenant", tenant).param("sha256", ref.sha256())
                .query(ROW).single();
    }

    Optional<MediaRecord> find(String tenant, String id) {
        return jdbc.sql("select * from media where tenant = :tenant and id = :id")
                .param("tenant", tenant).param("id", id)
                .query(ROW).optional();
    }

    /**
     * Like {@link #find}, for a request that names the media: marks it used. At most once an hour per
     * item, so naming the same image in every request writes nothing most of the time.
     */
    Optional<MediaRecord> findForUse(String tenant, String id) {
        // one round trip on the request's path: the row as it was, and the mark in the same statement
        return jdbc.sql("""
                with touched as (
                  update media set last_used_at = now()
                  where tenant = :tenant and id = :id and last_used_at < now() - interval '1 hour')
                select * from media where tenant = :tenant and id = :id""")
                .param("tenant", tenant).param("id", id)
                .query(ROW).optional();
    }

    /** Deletes the row of media {@code id} and returns it; empty when there was none. */
    Optional<MediaRecord> delete(String tenant, String id) {
        return jdbc.sql("delete from media where tenant = :tenant and id = :id returning *")
                .param("tenant", tenant).param("id", id)
                .query(ROW).optional();
    }

    /** Deletes at most {@code limit} rows of media unused since {@code cutoff} and returns them. */
    List<MediaRecord> deleteUnusedSince(Instant cutoff, int limit) {
        return jdbc.sql("""
                delete from media where id in
                  (select id from media where last_used_at < :cutoff order by last_used_at limit :limit)
                returning *""")
                .param("cutoff", Timestamp.from(cutoff)).param("limit", limit)
                .query(ROW).list();
    }

    private static MediaRecord map(ResultSet rs, int row) throws SQLException {
        MediaRef ref = new MediaRef(rs.getString("bucket"), rs.getString("object_key"), rs.getString("content_type"),
                rs.getString("sha256"), rs.getLong("size"));
        return new MediaRecord(rs.getString("id"), rs.getString("tenant"), ref,
                rs.getTimestamp("created_at").toInstant());
    }
}
