package dev.ovis.serve.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.gateway.GatewayIntegrationTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Old bookkeeping rows are deleted, recent ones and unpublished outbox rows are kept. */
class RetentionPurgeIT extends GatewayIntegrationTest {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    RetentionPurge purge;

    @Test
    void processedEventIdsAndPublishedOrGivenUpOutboxRowsPastTheirRetentionAreDeleted() {
        String tag = UUID.randomUUID().toString();
        jdbc.sql("insert into processed_events (envelope_id, job_id, processed_at) values (?, 'j', now() - interval '30 days')")
                .param("old-" + tag).update();
        jdbc.sql("insert into processed_events (envelope_id, job_id, processed_at) values (?, 'j', now() - interval '1 day')")
                .param("recent-" + tag).update();
        long oldPublished = outbox(tag, "now() - interval '10 days'", "null");
        long oldGivenUp = outbox(tag, "null", "now() - interval '10 days'");
        long recentPublished = outbox(tag, "now() - interval '1 day'", "null");
        // unpublished, and not due for a day, so the relay leaves it alone during the test
        long pending = outbox(tag, "null", "null");
        jdbc.sql("update outbox set next_attempt_at = now() + interval '1 day' where id = ?").param(pending).update();

        assertThat(purge.purge()).isGreaterThanOrEqualTo(3);

        assertThat(jdbc.sql("select envelope_id from processed_events where envelope_id like ?").param("%-" + tag)
                .query(String.class).list()).containsExactly("recent-" + tag);
        assertThat(jdbc.sql("select id from outbox where message_key = ? order by id").param(tag).query(Long.class).list())
                .containsExactly(recentPublished, pending).doesNotContain(oldPublished, oldGivenUp);
    }

    private long outbox(String key, String publishedAt, String givenUpAt) {
        return jdbc.sql("insert into outbox (topic, message_key, envelope, published_at, given_up_at) values ('t', ?, convert_to('{}', 'UTF8'), "
                + publishedAt + ", " + givenUpAt + ") returning id").param(key).query(Long.class).single();
    }
}
