package dev.ovis.serve.gateway.files;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code files} table. A file past its {@code expires_at} (database clock) is not found, listed or
 * deleted by its tenant any more; {@link #expired} hands it to the purge. Blocking: call it on
 * {@code BlockingSchedulers.db()} or a runner thread.
 */
@Repository
class FileRepository {

    /** Not expired, by the database clock. */
    private static final String LIVE = "(expires_at is null or expires_at > now())";

    private final JdbcClient jdbc;

    FileRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts the file; a second insert of the same id (a retried finalization) keeps the first. */
    void insert(FileRecord file) {
        jdbc.sql("""
                insert into files (id, tenant, purpose, filename, bytes, object_key, sha256, created_at, expires_at)
                values (:id, :tenant, :purpose, :filename, :bytes, :key, :sha256, :createdAt, :expiresAt)
                on conflict (id) do nothing""")
                .param("id", file.id()).param("tenant", file.tenant()).param("purpose", file.purpose())
                .param("filename", file.filename()).param("bytes", file.bytes()).param("key", file.objectKey())
                .param("sha256", file.sha256()).param("createdAt", Timestamp.from(file.createdAt()))
                .param("expiresAt", file.expiresAt() == null ? null : Timestamp.from(file.expiresAt()))
                .update();
    }

    Optional<FileRecord> find(String tenant, String id) {
        return jdbc.sql("select * from files where tenant = :tenant and id = :id and " + LIVE)
                .param("tenant", tenant).param("id", id).query(FileRepository::map).optional();
    }

    /** A page in {@code order} ({@code desc} = newest first), after the file {@code after} when given. */
    List<FileRecord> page(String tenant, String purpose, FileRecord after, boolean newestFirst, int limit) {
        String direction = newestFirst ? "desc" : "asc";
        StringBuilder sql = new StringBuilder("select * from files where tenant = :tenant and " + LIVE);
        if (purpose != null) {
            sql.append(" and purpose = :purpose");
        }
        if (after != null) {
            sql.append(newestFirst ? " and (created_at, id) < (:createdAt, :afterId)" : " and (created_at, id) > (:createdAt, :afterId)");
        }
        sql.append(" order by created_at ").append(direction).append(", id ").append(direction).append(" limit :limit");
        JdbcClient.StatementSpec spec = jdbc.sql(sql.toString()).param("tenant", tenant).param("limit", limit);
        if (purpose != null) {
            spec = spec.param("purpose", purpose);
        }
        if (after != null) {
            spec = spec.param("createdAt", Timestamp.from(after.createdAt())).param("afterId", after.id());
        }
        return spec.query(FileRepository::map).list();
    }

    boolean delete(String tenant, String id) {
        return jdbc.sql("delete from files where tenant = :tenant and id = :id and " + LIVE)
                .param("tenant", tenant).param("id", id).update() == 1;
    }

    /** Up to {@code limit} files whose expiry has passed, oldest expiry first. */
    List<FileRecord> expired(int limit) {
        return jdbc.sql("select * from files where expires_at <= now() order by expires_at limit :limit")
                .param("limit", limit).query(FileRepository::map).list();
    }

    /** Deletes the row of a purged file. */
    void deleteExpired(String id) {
        jdbc.sql("delete from files where id = :id and expires_at <= now()").param("id", id).update();
    }

    private static FileRecord map(ResultSet rs, int row) throws SQLException {
        return new FileRecord(rs.getString("id"), rs.getString("tenant"), rs.getString("purpose"),
                rs.getString("filename"), rs.getLong("bytes"), rs.getString("object_key"), rs.getString("sha256"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("expires_at") == null ? null : rs.getTimestamp("expires_at").toInstant());
    }
}
