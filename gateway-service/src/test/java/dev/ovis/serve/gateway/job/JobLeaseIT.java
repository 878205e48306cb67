package dev.ovis.serve.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatResult;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.chat.Usage;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.CancelRequest;
import dev.ovis.serve.common.job.DeadLetter;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.gateway.GatewayIntegrationTest;
import dev.ovis.serve.gateway.outbox.Outbox;
import dev.ovis.serve.support.kafka.EnvelopeJson;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.testing.TopicRecorder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Leases and recovery on the real Kafka and PostgreSQL: a job whose worker vanished is dispatched
 * again by the reaper (the scheduled one, every 300 ms in these tests) and answered once; after the
 * last attempt it fails with the reason; reapers racing on one database never dispatch a job twice.
 * A lease is made to expire by moving {@code lease_until} into the past rather than by waiting the
 * configured minute out.
 */
class JobLeaseIT extends GatewayIntegrationTest {

    private static final Route LLM_ONLY = new Route(List.of(Stage.LLM));
    private static TopicRecorder recorder;

    @Autowired
    JobService service;
    @Autowired
    JobRepository repository;
    @Autowired
    JobReaper reaper;
    @Autowired
    Outbox outbox;
    @Autowired
    TransactionTemplate transactions;
    @Autowired
    JobsProperties settings;
    @Autowired
    EnvelopePublisher publisher;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    EnvelopeJson envelopes;

    @BeforeEach
    void recordRequests() {
        if (recorder == null) {
            recorder = new TopicRecorder(Topics.LLM_REQUESTS, Topics.DEAD_LETTERS, Topics.CONTROL);
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (recorder != null) {
            recorder.close();
            recorder = null;
        }
    }

    @Test
    void aJobWhoseWorkerVanishedIsDispatchedAgainAndAnsweredOnce() {
        String jobId = submit();
        await().atMost(WAIT).until(() -> recorder.envelopes(Topics.LLM_REQUESTS, jobId).size() == 1);
        // the first worker starts, then dies: no heartbeat any more
        publish(jobId + ":llm:running", EventTypes.JOB_STARTED, JobEvent.started(jobId, Stage.LLM));
        await().atMost(WAIT).until(() -> row(jobId).status() == JobStatus.RUNNING);
        expireLease(jobId);

        // then the reaper sends the same request again, numbered as attempt 2
        await().atMost(WAIT).until(() -> recorder.envelopes(Topics.LLM_REQUESTS, jobId).size() == 2);
        Envelope<StageRequest> again = recorder.envelopes(Topics.LLM_REQUESTS, jobId).get(1);
        assertThat(again.id()).isEqualTo(jobId + ":llm@2");
        assertThat(again.data().attempt()).isEqualTo(2);
        assertThat(again.data().payload()).isEqualTo(recorder.envelopes(Topics.LLM_REQUESTS, jobId).getFirst().data().payload());
        Job redispatched = row(jobId);
        assertThat(redispatched.attempts()).isEqualTo(2);
        assertThat(redispatched.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(redispatched.message()).contains("worker lost", "attempt 2 of 3");

        // and the second attempt's events are applied, not dropped as repeats of the first's
        publish(jobId + ":llm@2:running", EventTypes.JOB_STARTED,
                new JobEvent(jobId, Stage.LLM, JobStatus.RUNNING, 0.1, "attempt 2 started", null, null));
        await().atMost(WAIT).until(() -> "attempt 2 started".equals(row(jobId).message()));
        // its heartbeats keep the lease alive
        expireLease(jobId);
        publish(jobId + ":llm@2:heartbeat:1", EventTypes.JOB_HEARTBEAT,
                new JobEvent(jobId, Stage.LLM, JobStatus.RUNNING, null, null, null, null));
        await().atMost(WAIT).until(() -> leaseUntil(jobId).isAfter(Instant.now().plusSeconds(30)));
        publish(jobId + ":llm@2:succeeded", EventTypes.JOB_SUCCEEDED, JobEvent.succeeded(jobId, Stage.LLM, answer("second")));
        await().atMost(WAIT).until(() -> row(jobId).status() == JobStatus.SUCCEEDED);
        int version = row(jobId).version();

        // a late answer of the lost first attempt changes nothing: the job is answered once
        publish(jobId + ":llm:succeeded", EventTypes.JOB_SUCCEEDED, JobEvent.succeeded(jobId, Stage.LLM, answer("first")));
        publish(jobId + ":llm:marker", EventTypes.JOB_FAILED, JobEvent.failed(jobId, Stage.LLM,
                new dev.ovis.serve.common.job.Failure(ErrorCode.INTERNAL, "late")));
        await().atMost(WAIT).until(() -> processed(jobId + ":llm:marker"));
        Job done = row(jobId);
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.result().chat().text()).isEqualTo("second");
        assertThat(done.version()).isEqualTo(version);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(recorder.envelopes(Topics.LLM_REQUESTS, jobId)).hasSize(2);

        // every stage is told the job ended, so a request of it still queued somewhere is skipped
        await().atMost(WAIT).until(() -> !recorder.envelopes(Topics.CONTROL, jobId).isEmpty());
        assertThat(recorder.envelopes(Topics.CONTROL, jobId)).singleElement().satisfies(notice -> {
            assertThat(notice.id()).isEqualTo(jobId + ":finished");
            assertThat(notice.type()).isEqualTo(EventTypes.JOB_FINISHED);
            assertThat(notice.data().finished()).isEqualTo(JobStatus.SUCCEEDED);
        });
    }

    @Test
    void aJobNobodyTakesFailsWithTheReasonAfterTheLastAttempt() {
        String jobId = submit();
        for (int attempt = 2; attempt <= 3; attempt++) {
            int expected = attempt;
            expireLease(jobId);
            await().atMost(WAIT).until(() -> row(jobId).attempts() == expected);
        }
        expireLease(jobId);

        await().atMost(WAIT).until(() -> row(jobId).status() == JobStatus.FAILED);
        Job failed = row(jobId);
        assertThat(failed.failure().code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(failed.failure().detail()).startsWith("worker lost 3 times");
        assertThat(failed.attempts()).isEqualTo(3);
        await().atMost(WAIT).until(() -> recorder.envelopes(Topics.LLM_REQUESTS, jobId).size() == 3);
        assertThat(recorder.envelopes(Topics.LLM_REQUESTS, jobId)).extracting(Envelope::id)
                .containsExactly(jobId + ":llm", jobId + ":llm@2", jobId + ":llm@3");
        // the stages are told the job ended (a slow worker stops), and the request is kept with the reason
        assertThat(outboxIds(jobId)).contains(jobId + ":finished");
        await().atMost(WAIT).until(() -> !recorder.envelopes(Topics.DEAD_LETTERS, jobId).isEmpty());
        DeadLetter letter = recorder.envelopes(Topics.DEAD_LETTERS, jobId).getFirst().data();
        assertThat(letter.reason()).isEqualTo(failed.failure().detail());
        assertThat(letter.origin()).isEqualTo("gateway job reaper");
        assertThat(letter.topic()).isEqualTo(Topics.LLM_REQUESTS.name());
        assertThat(letter.recordType()).isEqualTo(EventTypes.STAGE_REQUEST);
        Envelope<StageRequest> request = envelopes.mapper().readValue(letter.record(), envelopes.envelopeOf(StageRequest.class));
        assertThat(request.id()).isEqualTo(jobId + ":llm@3");
        assertThat(request.data().payload()).isEqualTo(recorder.envelopes(Topics.LLM_REQUESTS, jobId).getFirst().data().payload());
    }

    @Test
    void anEventPostgresqlKeepsRejectingIsDeadLetteredAndItsJobFailedInsteadOfBlockingItsPartition() {
        String jobId = submit();
        // PostgreSQL itself refuses this one event (as it would a value it cannot store); a lost
        // connection would be retried for as long as it lasts instead
        jdbc.sql("""
                create or replace function reject_poison_event() returns trigger language plpgsql as $$
                begin
                  if new.envelope_id like '%:poison-test' then
                    raise exception 'poison event %', new.envelope_id using errcode = '22023';
                  end if;
                  return new;
                end $$""").update();
        jdbc.sql("drop trigger if exists reject_poison_event on processed_events").update();
        jdbc.sql("create trigger reject_poison_event before insert on processed_events for each row "
                + "execute function reject_poison_event()").update();
        try {
            publish(jobId + ":llm:poison-test", EventTypes.JOB_STARTED, JobEvent.started(jobId, Stage.LLM));
            String other = submit();
            publish(other + ":llm:running", EventTypes.JOB_STARTED, JobEvent.started(other, Stage.LLM));

            await().atMost(WAIT).until(() -> row(jobId).status() == JobStatus.FAILED);
            Job failed = row(jobId);
            assertThat(failed.failure().code()).isEqualTo(ErrorCode.INTERNAL);
            // the tenant is told the job failed and an id to quote, not PostgreSQL's message
            assertThat(failed.failure().detail()).contains("could not be stored after 5 attempts", "error_id")
                    .doesNotContain("poison event", "processed_events");
            String errorId = failed.failure().detail().replaceAll(".*error_id ([0-9a-f-]{36}).*", "$1");
            await().atMost(WAIT).until(() -> !recorder.envelopes(Topics.DEAD_LETTERS, jobId).isEmpty());
            DeadLetter letter = recorder.envelopes(Topics.DEAD_LETTERS, jobId).getFirst().data();
            // the operator's dead letter keeps the whole reason under the same id
            assertThat(letter.reason()).contains(jobId + ":llm:poison-test", "could not be applied after 5 attempts",
                    "poison event", Topics.DEAD_LETTERS.name(), "error_id " + errorId);
            assertThat(letter.origin()).startsWith("gateway job events listener, " + Topics.JOB_EVENTS + "-");
            assertThat(letter.recordType()).isEqualTo(EventTypes.JOB_STARTED);
            assertThat(letter.record()).contains(jobId + ":llm:poison-test");
            // and the events after it are applied as before
            await().atMost(WAIT).until(() -> row(other).status() == JobStatus.RUNNING);
        } finally {
            jdbc.sql("drop trigger if exists reject_poison_event on processed_events").update();
        }
    }

    @Test
    void reapersRacingOnOneDatabaseDispatchEachExpiredJobOnce() throws Exception {
        List<String> jobIds = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            jobIds.add(submit());
        }
        // a second gateway's reaper on the same database, besides this one's (and its scheduled rounds)
        JobReaper other = new JobReaper(repository, outbox, transactions, service, settings, new SimpleMeterRegistry(),
                envelopes);
        jdbc.sql("update jobs set lease_until = now() - interval '1 second' where id in (:ids)")
                .param("ids", jobIds).update();

        CyclicBarrier start = new CyclicBarrier(4);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Job>>> rounds = new ArrayList<>();
            for (JobReaper each : List.of(reaper, other, reaper, other)) {
                rounds.add(threads.submit((Callable<List<Job>>) () -> {
                    start.await();
                    return each.reapOnce();
                }));
            }
            for (Future<List<Job>> round : rounds) {
                round.get();
            }
        } finally {
            threads.shutdownNow();
        }

        // The scheduled reaper may hold some rows in a transaction not yet committed when the four
        // rounds (which skipped them) return: wait for it, then each job was dispatched exactly once more.
        await().atMost(WAIT).untilAsserted(() -> {
            for (String jobId : jobIds) {
                assertThat(row(jobId).attempts()).as(jobId).isEqualTo(2);
                assertThat(outboxIds(jobId)).as(jobId).containsExactly(jobId + ":llm", jobId + ":llm@2");
            }
        });
    }

    private String submit() {
        JobPayload payload = JobPayload.of(new ChatTask("tiny", List.of(
                new ChatMessage(Role.USER, List.of(ContentPart.text("hi")))), SamplingParams.REFERENCE, false));
        return service.submit("tenant-a", payload, LLM_ONLY, null, null).block().job().id();
    }

    private static JobResult answer(String text) {
        return JobResult.of(new ChatResult("tiny", text, FinishReason.STOP, new Usage(1, 1), null));
    }

    private void publish(String id, String type, JobEvent event) {
        publisher.publish(Topics.JOB_EVENTS, Envelope.withId(id, type, "test-stage", event.jobId(), event));
    }

    private Job row(String jobId) {
        return repository.find("tenant-a", jobId).orElseThrow();
    }

    private void expireLease(String jobId) {
        jdbc.sql("update jobs set lease_until = now() - interval '1 second' where id = :id").param("id", jobId).update();
    }

    private Instant leaseUntil(String jobId) {
        return jdbc.sql("select lease_until from jobs where id = :id").param("id", jobId)
                .query(Timestamp.class).single().toInstant();
    }

    private boolean processed(String envelopeId) {
        return jdbc.sql("select count(*) from processed_events where envelope_id = :id").param("id", envelopeId)
                .query(Long.class).single() == 1;
    }

    private List<String> outboxIds(String jobId) {
        return jdbc.sql("select convert_from(envelope, 'UTF8')::jsonb ->> 'id' from outbox where message_key = :id order by id").param("id", jobId)
                .query(String.class).list();
    }
}
