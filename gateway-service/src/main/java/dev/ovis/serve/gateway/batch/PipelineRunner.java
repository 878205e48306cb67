package dev.ovis.serve.gateway.batch;

import dev.ovis.serve.gateway.job.Job;
import dev.ovis.serve.gateway.job.JobService;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs the requests pipelines sent on Kafka, state in PostgreSQL: a recorded request is submitted
 * as a job (idempotency key {@code pipeline/<custom_id>}: a repeat after a crash finds the same
 * job), and once its job ends its OpenAI output line goes to the request's reply topic, keyed by
 * {@code custom_id}, and the request is marked answered — in the transaction that holds its row
 * ({@code FOR UPDATE SKIP LOCKED}), so instances share the work. A crash between the broker's
 * acknowledgement and the commit sends the line again (at least once); a repeated request is
 * never run or answered twice.
 */
class PipelineRunner {

    private static final Logger log = LoggerFactory.getLogger(PipelineRunner.class);

    private final PipelineRepository requests;
    private final PipelinePublisher publisher;
    private final LineSubmitter submitter;
    private final JobService jobs;
    private final TransactionTemplate transactions;
    private final PipelineProperties properties;
    private final BatchProperties batch;
    private final BatchLines lines;

    PipelineRunner(PipelineRepository requests, PipelinePublisher publisher, LineRequests lineRequests, JobService jobs,
                   TransactionTemplate transactions, PipelineProperties properties, BatchProperties batch, BatchLines lines) {
        this.requests = requests;
        this.publisher = publisher;
        this.submitter = new LineSubmitter(lineRequests, jobs, batch.prepareTimeout());
        this.jobs = jobs;
        this.transactions = transactions;
        this.properties = properties;
        this.batch = batch;
        this.lines = lines;
    }

    @Scheduled(fixedDelayString = "${ovis.gateway.batch.poll-interval:1s}", initialDelayString = "${ovis.gateway.batch.poll-interval:1s}")
    void tick() {
        try {
            transactions.executeWithoutResult(status -> requests.lockActionable(properties.maxPerTick()).forEach(this::advance));
        } catch (RuntimeException e) {
            // rolled back; the same requests are taken up again on the next tick
            log.warn("Advancing pipeline requests failed; retrying on the next tick", e);
        }
    }

    private void advance(PipelineRepository.Open request) {
        String key = "pipeline#" + request.tenant() + "#" + request.customId();
        if (request.jobId() != null) {
            Job job = jobs.find(request.tenant(), request.jobId()).block(Duration.ofSeconds(30));
            publisher.send(request.replyTopic(), request.customId(), lines.fromJob(key, request.customId(), job));
            requests.answered(request.tenant(), request.customId());
            return;
        }
        LineSubmitter.Outcome outcome = submitter.submit(request.tenant(), request.endpoint(), request.body(),
                "pipeline/" + request.customId());
        if (outcome instanceof LineSubmitter.Submitted submitted) {
            requests.setJob(request.tenant(), request.customId(), submitted.jobId());
            return;
        }
        LineSubmitter.Refused refused = (LineSubmitter.Refused) outcome;
        if (refused.retryLater()) {
            log.debug("Pipeline request {} waits: {}", request.customId(), refused.detail());
            return;
        }
        publisher.send(request.replyTopic(), request.customId(),
                lines.httpError(key, request.customId(), BatchLines.requestId(key), refused.code(), refused.detail()));
        requests.answered(request.tenant(), request.customId());
    }
}
