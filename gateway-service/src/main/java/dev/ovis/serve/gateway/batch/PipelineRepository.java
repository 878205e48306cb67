package dev.ovis.serve.gateway.batch;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code pipeline_requests} table. Blocking. */
@Repository
class PipelineRepository {

    /** A request not answered yet. */
    record Open(String tenant, String customId, String endpoint, JsonNode body, String replyTopic, String jobId) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    PipelineRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Records a request; false when the tenant sent this {@code custom_id} before (it is answered once). */
    boolean insert(String tenant, String customId, String endpoint, JsonNode body, String replyTopic) {
        return jdbc.sql("""
                insert into pipeline_requests (tenant, custom_id, endpoint, body, reply_topic)
                values (:tenant, :customId, :endpoint, cast(:body as jsonb), :reply) on conflict do nothing""")
                .param("tenant", tenant).param("customId", customId).param("endpoint", endpoint)
                .param("body", json.writeValueAsString(body)).param("reply", replyTopic).update() == 1;
    }

    /**
     * Unanswered requests with work to do (no job yet, or their job ended), oldest first, locked for
     * the caller's transaction; rows another instance holds are skipped.
     */
    List<Open> lockActionable(int limit) {
        return jdbc.sql("""
                select p.* from pipeline_requests p left join jobs j on j.id = p.job_id
                where p.answered_at is null and (p.job_id is null or j.status in ('SUCCEEDED', 'FAILED', 'CANCELLED'))
                order by p.created_at limit :limit
                for update of p skip locked""")
                .param("limit", limit)
                .query((rs, n) -> new Open(rs.getString("tenant"), rs.getString("custom_id"), rs.getString("endpoint"),
                        json.readTree(rs.getString("body")), rs.getString("reply_topic"), rs.getString("job_id")))
                .list();
    }

    void setJob(String tenant, String customId, String jobId) {
        jdbc.sql("update pipeline_requests set job_id = :job where tenant = :tenant and custom_id = :customId")
                .param("job", jobId).param("tenant", tenant).param("customId", customId).update();
    }

    void answered(String tenant, String customId) {
        jdbc.sql("update pipeline_requests set answered_at = now() where tenant = :tenant and custom_id = :customId")
                .param("tenant", tenant).param("customId", customId).update();
    }
}
