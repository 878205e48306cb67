package dev.ovis.serve.support.stage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JobsNotToRunTests {

    private final AtomicLong clock = new AtomicLong();

    @Test
    void remembersJobsNotToRunUntilTheyExpire() {
        JobsNotToRun jobs = new JobsNotToRun(10, Duration.ofMinutes(1), clock::get);
        jobs.add("a");

        assertThat(jobs.contains("a")).isTrue();
        assertThat(jobs.contains("b")).isFalse();

        clock.addAndGet(Duration.ofMinutes(1).toNanos());
        assertThat(jobs.contains("a")).isFalse();
        assertThat(jobs.size()).isZero();
    }

    @Test
    void forgetsTheOldestWhenFull() {
        JobsNotToRun jobs = new JobsNotToRun(2, Duration.ofHours(1), clock::get);
        jobs.add("a");
        jobs.add("b");
        jobs.add("c");

        assertThat(jobs.contains("a")).isFalse();
        assertThat(jobs.contains("b")).isTrue();
        assertThat(jobs.contains("c")).isTrue();
        assertThat(jobs.size()).isEqualTo(2);
    }

    @Test
    void remembersWhyAndAFinishedJobStaysFinishedWhenACancelFollows() {
        JobsNotToRun jobs = new JobsNotToRun(10, Duration.ofHours(1), clock::get);
        jobs.add("cancelled");
        jobs.add("finished", JobsNotToRun.Reason.FINISHED);
        jobs.add("finished", JobsNotToRun.Reason.CANCELLED);

        assertThat(jobs.reason("cancelled")).contains(JobsNotToRun.Reason.CANCELLED);
        assertThat(jobs.reason("finished")).contains(JobsNotToRun.Reason.FINISHED);
        assertThat(jobs.reason("other")).isEmpty();
    }
}
