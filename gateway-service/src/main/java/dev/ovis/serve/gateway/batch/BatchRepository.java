package dev.ovis.serve.gateway.batch;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code batches} and {@code batch_items} tables. Times of status changes come from the
 * database clock ({@code now()}), so two gateway instances agree on them and on expiry. Blocking:
 * call it on {@code BlockingSchedulers.db()} or the runner's thread.
 */
@Repository
class BatchRepository {

    /** An input line accepted by validation. */
    record NewItem(int line, String customId, String body) {
    }

    /** An item not finished yet. */
    record OpenItem(int line, String customId, JsonNode body, String jobId) {
    }

    private static final String ACTIVE = "('validating', 'in_progress', 'finalizing', 'cancelling')";

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final JsonMapper json;

    BatchRepository(JdbcClient jdbc, JdbcTemplate template, JsonMapper json) {
        this.jdbc = jdbc;
        this.template = template;
        this.json = json;
    }

    Batch insert(String id, String tenant, String endpoint, String inputFileId, String window, JsonNode metadata,
                 Duration windowLength, Duration outputExpiresAfter) {
        return jdbc.sql("""
                insert into batches (id, tenant, endpoint, input_file_id, completion_window, status, metadata,
                                     created_at, expires_at, output_expires_after)
                values (:id, :tenant, :endpoint, :input, :window, 'validating', cast(:metadata as jsonb),
                        now(), now() + cast(:seconds || ' seconds' as interval), :outputExpiry)
                returning *""")
                .param("outputExpiry", outputExpiresAfter == null ? null : (int) outputExpiresAfter.toSeconds())
                .param("id", id).param("tenant", tenant).param("endpoint", endpoint).param("input", inputFileId)
                .param("window", window).param("metadata", metadata == null ? null : json.writeValueAsString(metadata))
                .param("seconds", String.valueOf(windowLength.toSeconds()))
                .query(this::map).single();
    }

    Optional<Batch> find(String tenant, String id) {
        return jdbc.sql("select * from batches where tenant = :tenant and id = :id")
                .param("tenant", tenant).param("id", id).query(this::map).optional();
    }

    /** Newest first, strictly older than {@code after} when given. */
    List<Batch> page(String tenant, Batch after, int limit) {
        if (after == null) {
            return jdbc.sql("select * from batches where tenant = :tenant order by created_at desc, id desc limit :limit")
                    .param("tenant", tenant).param("limit", limit).query(this::map).list();
        }
        return jdbc.sql("""
                select * from batches where tenant = :tenant and (created_at, id) < (:createdAt, :id)
                order by created_at desc, id desc limit :limit""")
                .param("tenant", tenant).param("createdAt", Timestamp.from(after.createdAt())).param("id", after.id())
                .param("limit", limit).query(this::map).list();
    }

    /**
     * Locks the oldest batch with work left that no other transaction holds and that is not in
     * {@code skip}: {@code FOR UPDATE SKIP LOCKED}, so two gateway instances share the batches and
     * never step the same one at once. The lock lasts until the caller's transaction ends.
     */
    Optional<Batch> lockNextActive(Collection<String> skip) {
        List<String> excluded = skip.isEmpty() ? List.of("") : List.copyOf(skip);
        return jdbc.sql("select * from batches where status in " + ACTIVE
                        + " and id not in (:skip) order by created_at limit 1 for update skip locked")
                .param("skip", excluded).query(this::map).optional();
    }

    /** Whether the batch's completion window has elapsed, by the database clock. */
    boolean expired(String id) {
        return jdbc.sql("select expires_at < now() from batches where id = :id").param("id", id).query(Boolean.class).single();
    }

    /** validating|in_progress → cancelling; empty when the batch is in another status. */
    Optional<Batch> requestCancel(String tenant, String id) {
        return jdbc.sql("""
                update batches set status = 'cancelling', cancelling_at = now()
                where tenant = :tenant and id = :id and status in ('validating', 'in_progress') returning *""")
                .param("tenant", tenant).param("id", id).query(this::map).optional();
    }

    void failed(String id, JsonNode errors) {
        jdbc.sql("update batches set status = 'failed', failed_at = now(), errors = cast(:errors as jsonb) where id = :id")
                .param("id", id).param("errors", json.writeValueAsString(errors)).update();
    }

    void inProgress(String id, int total) {
        jdbc.sql("update batches set status = 'in_progress', in_progress_at = now(), total = :total where id = :id")
                .param("id", id).param("total", total).update();
    }

    void finalStatus(String id, BatchStatus status) {
        jdbc.sql("update batches set final_status = :status where id = :id").param("id", id).param("status", status.wire()).update();
    }

    void finalizing(String id) {
        jdbc.sql("update batches set status = 'finalizing', finalizing_at = now() where id = :id").param("id", id).update();
    }

    /** Ends the batch in {@code status} (completed, expired or cancelled) with its files. */
    void finish(String id, BatchStatus status, String outputFileId, String errorFileId) {
        String column = switch (status) {
            case COMPLETED -> "completed_at";
            case EXPIRED -> "expired_at";
            case CANCELLED -> "cancelled_at";
            default -> throw new IllegalArgumentException("a batch does not finish as " + status);
        };
        jdbc.sql("update batches set status = :status, " + column + " = now(), output_file_id = :output, "
                        + "error_file_id = :error where id = :id")
                .param("status", status.wire()).param("output", outputFileId).param("error", errorFileId).param("id", id)
                .update();
    }

    /** Recounts {@code request_counts} from the items. */
    void recount(String id) {
        jdbc.sql("""
                update batches set completed = (select count(*) from batch_items where batch_id = :id and succeeded),
                                   failed = (select count(*) from batch_items where batch_id = :id and not succeeded)
                where id = :id""").param("id", id).update();
    }

    void insertItems(String batchId, List<NewItem> items) {
        template.batchUpdate("insert into batch_items (batch_id, line, custom_id, body) values (?, ?, ?, cast(? as jsonb))",
                items, 1000, (ps, item) -> {
                    ps.setString(1, batchId);
                    ps.setInt(2, item.line());
                    ps.setString(3, item.customId());
                    ps.setString(4, item.body());
                });
    }

    /**
     * Unfinished items, in line order; {@code withoutJob} = only those not yet submitted (with their
     * bodies; otherwise the body is left out, it may be large).
     */
    List<OpenItem> openItems(String batchId, boolean withoutJob, int limit) {
        return jdbc.sql("select line, custom_id, " + (withoutJob ? "body" : "null as body")
                        + ", job_id from batch_items where batch_id = :id and output is null"
                        + (withoutJob ? " and job_id is null" : "") + " order by line limit :limit")
                .param("id", batchId).param("limit", limit)
                .query((rs, n) -> new OpenItem(rs.getInt("line"), rs.getString("custom_id"),
                        tree(rs.getString("body")), rs.getString("job_id")))
                .list();
    }

    int countOpen(String batchId, boolean submittedOnly) {
        return jdbc.sql("select count(*) from batch_items where batch_id = :id and output is null"
                        + (submittedOnly ? " and job_id is not null" : ""))
                .param("id", batchId).query(Integer.class).single();
    }

    /** Unfinished items whose job has reached a terminal state. */
    List<OpenItem> itemsWithFinishedJobs(String batchId) {
        return jdbc.sql("""
                select i.line, i.custom_id, i.body, i.job_id from batch_items i join jobs j on j.id = i.job_id
                where i.batch_id = :id and i.output is null and j.status in ('SUCCEEDED', 'FAILED', 'CANCELLED')
                order by i.line""")
                .param("id", batchId)
                .query((rs, n) -> new OpenItem(rs.getInt("line"), rs.getString("custom_id"),
                        json.readTree(rs.getString("body")), rs.getString("job_id")))
                .list();
    }

    void setJob(String batchId, int line, String jobId) {
        jdbc.sql("update batch_items set job_id = :job where batch_id = :id and line = :line")
                .param("job", jobId).param("id", batchId).param("line", line).update();
    }

    /** Records an item's output line; only once (a finished item keeps its first line). */
    void finishItem(String batchId, int line, boolean succeeded, JsonNode output) {
        jdbc.sql("""
                update batch_items set succeeded = :ok, output = cast(:output as jsonb)
                where batch_id = :id and line = :line and output is null""")
                .param("ok", succeeded).param("output", json.writeValueAsString(output))
                .param("id", batchId).param("line", line).update();
    }

    /** Hands every finished output line of one kind to {@code sink}, in line order, without loading them all. */
    void outputs(String batchId, boolean succeeded, Consumer<String> sink) {
        template.query(connection -> {
            var statement = connection.prepareStatement(
                    "select output::text from batch_items where batch_id = ? and succeeded = ? order by line");
            statement.setString(1, batchId);
            statement.setBoolean(2, succeeded);
            statement.setFetchSize(500);
            return statement;
        }, (RowCallbackHandler) rs -> sink.accept(rs.getString(1)));
    }

    private Batch map(ResultSet rs, int row) throws SQLException {
        String finalStatus = rs.getString("final_status");
        return new Batch(rs.getString("id"), rs.getString("tenant"), rs.getString("endpoint"),
                rs.getString("input_file_id"), rs.getString("completion_window"), BatchStatus.of(rs.getString("status")),
                tree(rs.getString("metadata")), tree(rs.getString("errors")), rs.getString("output_file_id"),
                rs.getString("error_file_id"), rs.getInt("total"), rs.getInt("completed"), rs.getInt("failed"),
                finalStatus == null ? null : BatchStatus.of(finalStatus),
                instant(rs, "created_at"), instant(rs, "expires_at"), instant(rs, "in_progress_at"),
                instant(rs, "finalizing_at"), instant(rs, "completed_at"), instant(rs, "failed_at"),
                instant(rs, "expired_at"), instant(rs, "cancelling_at"), instant(rs, "cancelled_at"),
                rs.getObject("output_expires_after", Integer.class));
    }

    private JsonNode tree(String text) {
        return text == null ? null : json.readTree(text);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
