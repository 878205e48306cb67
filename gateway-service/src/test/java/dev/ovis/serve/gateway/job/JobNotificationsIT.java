package dev.ovis.serve.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.gateway.problem.TcpCut;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.Disposable;

/**
 * Event streams are pushed, not polled: a change another gateway instance commits (here: an UPDATE
 * on a connection of the test's own, in a transaction this gateway knows nothing of) reaches a
 * watcher here through PostgreSQL's NOTIFY, although the streams' safety re-read is set to ten
 * minutes; and it still does after the listening connection was lost and opened again (the
 * gateway's connections go through a {@link TcpCut}, as PostgreSQL restarting would cut them).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "ovis.gateway.instance-id=gateway-notify-it",
        "ovis.gateway.jobs.events-poll-interval=10m",
        "ovis.gateway.job-notifications.reconnect-backoff=100ms",
        "ovis.gateway.job-notifications.max-reconnect-backoff=500ms",
        "ovis.gateway.limits.enabled=false"})
class JobNotificationsIT {

    private static final Duration PROMPTLY = Duration.ofSeconds(15);
    private static final Route LLM_ONLY = new Route(List.of(Stage.LLM));
    private static TcpCut database;

    @Autowired
    JobService service;
    @Autowired
    JobNotifications notifications;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        database = TcpCut.inFrontOfTheDatabase(registry);
    }

    @AfterAll
    static void closeCut() throws Exception {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void aChangeCommittedElsewhereReachesTheWatcherWithoutWaitingForTheReRead() throws Exception {
        await().atMost(PROMPTLY).until(notifications::connected);
        String jobId = submit();
        BlockingQueue<Job> seen = new LinkedBlockingQueue<>();
        Disposable watcher = service.watch("tenant-notify", jobId).subscribe(seen::add);
        try {
            assertThat(seen.poll(PROMPTLY.toSeconds(), TimeUnit.SECONDS).status()).isEqualTo(JobStatus.QUEUED);

            // the first change may also be caught by the stream's one re-read when it subscribes; once it is
            // here, that re-read is over, and only a push can bring the second
            changeElsewhere(jobId, "RUNNING", "taken by another instance's stage");
            assertThat(seen.poll(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).as("the first change").isNotNull();
            changeElsewhere(jobId, "RUNNING", "half done elsewhere");

            Job pushed = seen.poll(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
            assertThat(pushed).as("the change within %s (the re-read is 10 min away)", PROMPTLY).isNotNull();
            assertThat(pushed.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(pushed.message()).isEqualTo("half done elsewhere");
        } finally {
            watcher.dispose();
        }
    }

    @Test
    void afterTheListeningConnectionWasLostChangesArePushedAgain() throws Exception {
        await().atMost(PROMPTLY).until(notifications::connected);
        String jobId = submit();
        BlockingQueue<Job> seen = new LinkedBlockingQueue<>();
        Disposable watcher = service.watch("tenant-notify", jobId).subscribe(seen::add);
        try {
            assertThat(seen.poll(PROMPTLY.toSeconds(), TimeUnit.SECONDS).status()).isEqualTo(JobStatus.QUEUED);

            database.cut();
            await().atMost(PROMPTLY).until(() -> !notifications.connected());
            database.restore();
            await().atMost(PROMPTLY).until(notifications::connected);

            // as above: the re-read of every watched job after the reconnect may bring the first change
            changeElsewhere(jobId, "RUNNING", "taken by another instance's stage");
            assertThat(seen.poll(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).as("the first change").isNotNull();
            changeElsewhere(jobId, "SUCCEEDED", "finished by another instance");

            Job pushed = seen.poll(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
            assertThat(pushed).as("the change within %s after the reconnect", PROMPTLY).isNotNull();
            assertThat(pushed.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(pushed.message()).isEqualTo("finished by another instance");
        } finally {
            watcher.dispose();
        }
    }

    private String submit() {
        JobPayload payload = JobPayload.of(new ChatTask("tiny", List.of(
                new ChatMessage(Role.USER, List.of(ContentPart.text("hi")))), SamplingParams.REFERENCE, false));
        return service.submit("tenant-notify", payload, LLM_ONLY, null, null).block().job().id();
    }

    /** What another gateway applying a stage's event does to the row, on a connection that is not this gateway's. */
    private static void changeElsewhere(String jobId, String status, String message) throws Exception {
        try (Connection connection = TcpCut.pastTheCut();
             PreparedStatement update = connection.prepareStatement(
                     "update jobs set status = ?, message = ?, version = version + 1, updated_at = now() where id = ?")) {
            update.setString(1, status);
            update.setString(2, message);
            update.setString(3, jobId);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }
}
