package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.gateway.problem.ApiException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Waits for a job to finish, for endpoints that answer synchronously (OCR, key frames): the
 * finished job, a failed or cancelled job as its problem (the stage's code and detail), or empty
 * when it is still running at the deadline — the caller then answers 202 with the job instead.
 * Waiting can also fail (the database went away while the job ran): the job was accepted all the
 * same, so that too is empty — a 503 would tell the client to send again and run the job twice.
 */
@Component
public class JobWaiter {

    private static final Logger log = LoggerFactory.getLogger(JobWaiter.class);

    private final JobService jobs;

    JobWaiter(JobService jobs) {
        this.jobs = jobs;
    }

    public Mono<Job> succeeded(String tenant, String jobId, Duration timeout) {
        return jobs.watch(tenant, jobId).filter(job -> job.status().isTerminal()).next()
                .timeout(timeout, Mono.empty())
                .onErrorResume(e -> { // the watch's, not the job's: its outcome is mapped below
                    log.warn("Job {}: stopped waiting for it ({}); answering with the job, accepted", jobId, e.toString());
                    return Mono.empty();
                })
                .map(job -> {
                    if (job.status() == JobStatus.SUCCEEDED) {
                        return job;
                    }
                    if (job.failure() != null) {
                        throw new ApiException(job.failure().code(), job.failure().detail());
                    }
                    throw new ApiException(ErrorCode.INTERNAL, "job " + jobId + " ended " + job.status() + " without a reason");
                });
    }
}
