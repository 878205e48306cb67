package dev.ovis.serve.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.job.CancelRequest;
import dev.ovis.serve.gateway.GatewayIntegrationTest;
import dev.ovis.serve.gateway.TopicRecorder;
import dev.ovis.serve.support.kafka.EnvelopeJson;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The relay publishes rows nobody nudged it about — as left by an instance that died after its commit. */
class OutboxRelayIT extends GatewayIntegrationTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void aRowCommittedWithoutANudgeIsPublishedByThePollAndMarkedPublished() throws Exception {
        String jobId = "orphan-" + UUID.randomUUID();
        Envelope<CancelRequest> envelope = Envelope.withId(jobId + ":cancel", EventTypes.CANCEL, "gateway-service", jobId,
                new CancelRequest(jobId, "left behind by a crashed instance"));
        // written straight to the table: no transaction synchronisation, so no nudge
        long id = jdbc.sql("insert into outbox (topic, message_key, envelope) values (?, ?, cast(? as jsonb)) returning id")
                .params(Topics.CONTROL, jobId, new EnvelopeJson().mapper().writeValueAsString(envelope))
                .query(Long.class).single();

        try (TopicRecorder<CancelRequest> control = new TopicRecorder<>(Topics.CONTROL, CancelRequest.class)) {
            await().atMost(WAIT).until(() -> !control.of(jobId).isEmpty());
            assertThat(control.of(jobId).getFirst().id()).isEqualTo(jobId + ":cancel");
            assertThat(control.of(jobId).getFirst().data().reason()).isEqualTo("left behind by a crashed instance");
        }
        await().atMost(WAIT).until(() -> jdbc.sql("select published_at is not null from outbox where id = ?")
                .param(id).query(Boolean.class).single());
    }
}
