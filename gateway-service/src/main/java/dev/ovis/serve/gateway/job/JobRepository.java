package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.common.job.JobKind;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.Priority;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.gateway.StorableText;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code jobs} and {@code processed_events} tables. Every status change goes through
 * {@link #transition}, the one place that enforces {@link JobStatus#canMoveTo}: a conditional
 * UPDATE whose WHERE clause names the legal source states, so a concurrent or late change can
 * never move a job out of a terminal state. Blocking: call it on {@code BlockingSchedulers.db()}
 * or a listener thread.
 */
@Repository
class JobRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final RowMapper<Job> rows;

    JobRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
        this.rows = this::map;
    }

    /**
     * Inserts a QUEUED job leased for {@code lease} from the database's now, unless the kind or the
     * tenant is at its limit of jobs queued or running ({@code limits}); one statement, so admission
     * costs no round trip of its own. The counts come back either way, for the refusal's message.
     * Counted without a lock: concurrent inserts may pass a limit by a few. A concurrent insert with
     * the same idempotency key fails with DuplicateKeyException.
     */
    Admission insertIfAdmitted(String id, String tenant, JobPayload payload, Route route, String idempotencyKey,
                               String requestHash, String replyTo, Priority priority, Instant now, Duration lease,
                               Limits limits) {
        return jdbc.sql("""
                with active as (
                    select count(*) as all_tenants, count(*) filter (where tenant = :tenant) as this_tenant,
                           count(*) filter (where priority = 'BATCH') as batch
                    from jobs where kind = :kind and status in ('QUEUED', 'RUNNING')),
                inserted as (
                    insert into jobs (id, tenant, kind, route, status, request, idempotency_key, request_hash, reply_to,
                                      priority, attempts, version, created_at, updated_at, lease_until)
                    select :id, :tenant, :kind, :route, 'QUEUED', cast(:request as jsonb), :key, :hash, :replyTo,
                           :priority, 1, 0, :now, :now, now() + :leaseMillis * interval '1 millisecond'
                    from active
                    where all_tenants < :maxOfKind and this_tenant < :maxOfTenant
                      and (:priority <> 'BATCH' or batch < :maxBatchOfKind)
                    returning *)
                select active.all_tenants, active.this_tenant, active.batch, inserted.*
                from active left join inserted on true""")
                .param("leaseMillis", lease.toMillis())
                .param("id", id).param("tenant", tenant).param("kind", payload.kind().name())
                .param("route", route.toString()).param("request", StorableText.replaceNulInJson(json.writeValueAsString(payload)))
                .param("key", idempotencyKey).param("hash", requestHash).param("replyTo", replyTo)
                .param("priority", priority.name()).param("now", Timestamp.from(now))
                .param("maxOfKind", limits.ofKind()).param("maxOfTenant", limits.ofTenant())
                .param("maxBatchOfKind", limits.batchOfKind())
                .query((rs, n) -> new Admission(new Active(rs.getLong("all_tenants"), rs.getLong("this_tenant"),
                        rs.getLong("batch")), rs.getString("id") == null ? null : map(rs, n)))
                .single();
    }

    /** The most jobs of a kind that may be queued or running: in the whole suite, of one tenant, batch ones. */
    record Limits(long ofKind, long ofTenant, long batchOfKind) {
    }

    /** The kind's jobs in flight before the insert, and the job inserted; {@code job} null when refused. */
    record Admission(Active active, Job job) {
    }

    Optional<Job> find(String tenant, String id) {
        return jdbc.sql("select * from jobs where tenant = :tenant and id = :id")
                .param("tenant", tenant).param("id", id).query(rows).optional();
    }

    /** The jobs with these ids, whatever their tenant (for watchers that were checked when they subscribed). */
    List<Job> findAll(Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select * from jobs where id in (:ids)").param("ids", ids).query(rows).list();
    }

    /** The job with this idempotency key and the hash of the request that created it. */
    Optional<Keyed> findByIdempotencyKey(String tenant, String key) {
        return jdbc.sql("select * from jobs where tenant = :tenant and idempotency_key = :key")
                .param("tenant", tenant).param("key", key)
                .query((rs, n) -> new Keyed(map(rs, n), rs.getString("request_hash"))).optional();
    }

    record Keyed(Job job, String requestHash) {
    }

    /** One page, newest first, strictly older than the cursor position when one is given. */
    List<Job> page(String tenant, JobStatus status, PageCursor after, int limit) {
        StringBuilder sql = new StringBuilder("select * from jobs where tenant = :tenant");
        if (status != null) {
            sql.append(" and status = :status");
        }
        if (after != null) {
            sql.append(" and (created_at, id) < (:createdAt, :afterId)");
        }
        sql.append(" order by created_at desc, id desc limit :limit");
        JdbcClient.StatementSpec spec = jdbc.sql(sql.toString()).param("tenant", tenant).param("limit", limit);
        if (status != null) {
            spec = spec.param("status", status.name());
        }
        if (after != null) {
            spec = spec.param("createdAt", Timestamp.from(after.createdAt())).param("afterId", after.id());
        }
        return spec.query(rows).list();
    }

    /**
     * Moves job {@code id} to {@code change.target()} if its current status may move there, storing
     * what comes with the change and bumping its version. Empty when the job does not exist or the
     * transition is illegal from its current status (nothing is written then).
     */
    Optional<Job> transition(String id, JobChange change) {
        return transition(id, change, null, null);
    }

    /**
     * Applies a stage's event once, in one statement: records its envelope id (see {@link
     * #markProcessed}) and, only when that id is new, moves the row as {@link #transition(String,
     * JobChange)} does and, when {@code lease} is not null, pushes the job's lease to {@code lease}
     * from now. Empty when the id was seen before or the move is not legal (the id is recorded
     * either way).
     */
    Optional<Job> applyOnce(String envelopeId, String id, JobChange change, Duration lease) {
        return transition(id, change, envelopeId, lease);
    }

    private Optional<Job> transition(String id, JobChange change, String envelopeId, Duration lease) {
        List<String> sources = Arrays.stream(JobStatus.values())
                .filter(source -> source.canMoveTo(change.target()))
                .map(Enum::name)
                .toList();
        if (sources.isEmpty()) {
            if (envelopeId != null) {
                markProcessed(envelopeId, id);
            }
            return Optional.empty();
        }
        Failure failure = change.failure();
        // with an envelope id: the id's insert and the update in one round trip; the update applies
        // only when the insert did (a new id), which the CTE's returned row says
        String once = envelopeId == null ? "" : """
                with fresh as (insert into processed_events (envelope_id, job_id) values (:envelopeId, :id)
                               on conflict do nothing returning 1)
                """;
        String onlyIfNew = envelopeId == null ? "" : " and exists (select 1 from fresh)";
        return jdbc.sql(once + """
                update jobs set status = :target,
                                progress = coalesce(:progress, progress),
                                message = coalesce(:message, message),
                                result = coalesce(cast(:result as jsonb), result),
                                error_code = coalesce(:errorCode, error_code),
                                error_detail = coalesce(:errorDetail, error_detail),
                                version = version + 1,
                                updated_at = now(),
                                finished_at = case when :terminal then now() else finished_at end,
                                lease_until = case when :renew then now() + :leaseMillis * interval '1 millisecond'
                                                   else lease_until end
                where id = :id and status in (:sources)""" + onlyIfNew + " returning *")
                .param("target", change.target().name())
                .param("progress", change.progress())
                // a stage's output is kept even when it holds U+0000, which PostgreSQL refuses: as U+FFFD
                .param("message", StorableText.replaceNul(change.message()))
                .param("result", change.result() == null ? null : StorableText.replaceNulInJson(json.writeValueAsString(change.result())))
                .param("errorCode", failure == null ? null : failure.code().name())
                .param("errorDetail", failure == null ? null : StorableText.replaceNul(failure.detail()))
                .param("terminal", change.target().isTerminal())
                .param("id", id)
                .param("sources", sources)
                .param("renew", lease != null)
                .param("leaseMillis", lease == null ? 0 : lease.toMillis())
                .param("envelopeId", envelopeId, Types.VARCHAR)
                .query(rows).optional();
    }

    /**
     * Pushes the lease of an unfinished job to {@code lease} from now (the database's clock, shared
     * by every gateway instance). A finished job keeps its row as it is.
     */
    void renewLease(String id, Duration lease) {
        jdbc.sql("""
                update jobs set lease_until = now() + :leaseMillis * interval '1 millisecond'
                where id = :id and status in ('QUEUED', 'RUNNING')""")
                .param("leaseMillis", lease.toMillis()).param("id", id).update();
    }

    /**
     * Locks up to {@code limit} unfinished jobs whose lease has expired, oldest first. Rows another
     * transaction holds (another gateway's reaper, an event being applied) are skipped, so two
     * reapers never take the same job. Must run in a transaction, which holds the locks.
     */
    List<Job> lockExpired(int limit) {
        return jdbc.sql("""
                select * from jobs where status in ('QUEUED', 'RUNNING') and lease_until < now()
                order by lease_until limit :limit for update skip locked""")
                .param("limit", limit).query(rows).list();
    }

    /** Counts one more dispatch of a job locked by {@link #lockExpired}, leased for {@code lease}, with a note. */
    Optional<Job> redispatched(String id, Duration lease, String message) {
        return jdbc.sql("""
                update jobs set attempts = attempts + 1,
                                lease_until = now() + :leaseMillis * interval '1 millisecond',
                                message = :message, version = version + 1, updated_at = now()
                where id = :id and status in ('QUEUED', 'RUNNING')
                returning *""")
                .param("leaseMillis", lease.toMillis()).param("message", message).param("id", id)
                .query(rows).optional();
    }

    /** Jobs of a kind queued or running: in the whole suite, of the tenant, and batch ones. */
    record Active(long ofKind, long ofTenant, long batchOfKind) {
    }

    /** Records that an event was applied; false when it had been already (a redelivery). */
    boolean markProcessed(String envelopeId, String jobId) {
        return jdbc.sql("insert into processed_events (envelope_id, job_id) values (:id, :job) on conflict do nothing")
                .param("id", envelopeId).param("job", jobId).update() == 1;
    }

    private Job map(ResultSet rs, int row) throws SQLException {
        String result = rs.getString("result");
        String errorCode = rs.getString("error_code");
        Failure failure = errorCode == null ? null : new Failure(ErrorCode.valueOf(errorCode), rs.getString("error_detail"));
        Double progress = rs.getObject("progress", Double.class);
        return new Job(rs.getString("id"), rs.getString("tenant"), JobKind.valueOf(rs.getString("kind")),
                Route.parse(rs.getString("route")), JobStatus.valueOf(rs.getString("status")),
                progress, rs.getString("message"),
                json.readValue(rs.getString("request"), JobPayload.class),
                result == null ? null : json.readValue(result, JobResult.class),
                failure, rs.getString("idempotency_key"), rs.getString("reply_to"),
                rs.getInt("attempts"), rs.getInt("version"),
                instant(rs, "created_at"), instant(rs, "updated_at"), instant(rs, "finished_at"),
                Priority.valueOf(rs.getString("priority")));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
