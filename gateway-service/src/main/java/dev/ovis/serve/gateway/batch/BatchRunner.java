package dev.ovis.serve.gateway.batch;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.files.FileRecord;
import dev.ovis.serve.gateway.files.FileService;
import dev.ovis.serve.gateway.job.Job;
import dev.ovis.serve.gateway.job.JobService;
import dev.ovis.serve.gateway.model.ModelCatalog;
import dev.ovis.serve.gateway.problem.ApiException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Moves batches along, one step per batch per tick, all state in PostgreSQL so a restarted (or
 * another) gateway carries on where this one stopped. Each step runs in a transaction holding the
 * batch row ({@code FOR UPDATE SKIP LOCKED}): two instances share batches and never step one twice
 * at once.
 * <ul>
 * <li>validating: read the input file, check it ({@link BatchInput}); fail, or store one item per line.</li>
 * <li>in_progress: collect the output line of every item whose job ended; submit the next items as
 *     jobs (at most {@code max-in-flight} unfinished), each under the idempotency key
 *     {@code batch/<id>/<line>}, so a step repeated after a crash finds the job it submitted instead
 *     of running the line twice; when no item is open, go to finalizing. Past {@code expires_at},
 *     wind down as expired.</li>
 * <li>cancelling (and expiring): cancel the unfinished jobs, answer the lines that never ran with
 *     {@code batch_cancelled} / {@code batch_expired} errors, write the files and end.</li>
 * <li>finalizing: write the output and error files (deterministic ids: a repeated step rewrites the
 *     same files) and end completed.</li>
 * </ul>
 * Blocking calls run on the scheduling thread, never on the event loop.
 */
@Component
class BatchRunner {

    private static final Logger log = LoggerFactory.getLogger(BatchRunner.class);
    private static final int WIND_DOWN_SLICE = 1000;

    private final BatchRepository batches;
    private final FileService files;
    private final JobService jobs;
    private final LineSubmitter submitter;
    private final ModelCatalog catalog;
    private final TransactionTemplate transactions;
    private final BatchProperties properties;
    private final JsonMapper json;
    private final BatchLines lines;

    BatchRunner(BatchRepository batches, FileService files, JobService jobs, LineRequests requests, ModelCatalog catalog,
                TransactionTemplate transactions, BatchProperties properties, JsonMapper json) {
        this.batches = batches;
        this.files = files;
        this.jobs = jobs;
        this.submitter = new LineSubmitter(requests, jobs, properties.prepareTimeout());
        this.catalog = catalog;
        this.transactions = transactions;
        this.properties = properties;
        this.json = json;
        this.lines = new BatchLines(json);
    }

    @Scheduled(fixedDelayString = "${ovis.gateway.batch.poll-interval:1s}", initialDelayString = "${ovis.gateway.batch.poll-interval:1s}")
    void tick() {
        Set<String> stepped = new HashSet<>();
        for (int i = 0; i < properties.batchesPerTick(); i++) {
            String[] current = {null};
            Optional<String> id;
            try {
                id = transactions.execute(status -> batches.lockNextActive(stepped).map(batch -> {
                    current[0] = batch.id();
                    step(batch);
                    return batch.id();
                }));
            } catch (RuntimeException e) {
                if (current[0] == null) {
                    log.warn("Could not look for batches to step", e);
                    return;
                }
                // The step rolled back; it is retried on the next tick (its work is idempotent).
                log.warn("A step of batch {} failed; it will be retried", current[0], e);
                stepped.add(current[0]);
                continue;
            }
            if (id == null || id.isEmpty()) {
                return;
            }
            stepped.add(id.get());
        }
    }

    /** One step of {@code batch}, inside the transaction that holds its row. */
    void step(Batch batch) {
        switch (batch.status()) {
            case VALIDATING -> validate(batch);
            case IN_PROGRESS -> progress(batch);
            case CANCELLING -> windDown(batch, BatchStatus.CANCELLED, "batch_cancelled", "the batch was cancelled before this request finished");
            case FINALIZING -> finish(batch, batch.finalStatus() != null ? batch.finalStatus() : BatchStatus.COMPLETED);
            default -> {
            }
        }
    }

    private void validate(Batch batch) {
        if (batches.expired(batch.id())) {
            finish(batch, BatchStatus.EXPIRED);
            return;
        }
        Optional<FileRecord> input = files.findNow(batch.tenant(), batch.inputFileId());
        if (input.isEmpty()) {
            batches.failed(batch.id(), errors(List.of(BatchInput.error("input_file_not_found",
                    "the input file '" + batch.inputFileId() + "' no longer exists", "input_file_id", null))));
            return;
        }
        BatchInput.Result result;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(files.open(input.get()), StandardCharsets.UTF_8))) {
            Set<String> served = new HashSet<>();
            catalog.available().forEach(model -> served.add(model.id()));
            result = BatchInput.read(reader, batch.endpoint(), served::contains, properties.maxLines(), json);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the input file of batch " + batch.id(), e);
        }
        if (!result.errors().isEmpty()) {
            batches.failed(batch.id(), errors(result.errors()));
            log.info("Batch {} failed validation: {} error(s)", batch.id(), result.errors().size());
            return;
        }
        batches.insertItems(batch.id(), result.items());
        batches.inProgress(batch.id(), result.items().size());
        log.info("Batch {} is in progress: {} request(s) to {}", batch.id(), result.items().size(), batch.endpoint());
    }

    private void progress(Batch batch) {
        if (batch.finalStatus() == BatchStatus.EXPIRED || batches.expired(batch.id())) {
            if (batch.finalStatus() == null) {
                batches.finalStatus(batch.id(), BatchStatus.EXPIRED);
            }
            windDown(batch, BatchStatus.EXPIRED, "batch_expired", "the batch's completion window elapsed before this request finished");
            return;
        }
        collect(batch);
        int room = properties.maxInFlight() - batches.countOpen(batch.id(), true);
        if (room > 0) {
            for (BatchRepository.OpenItem item : batches.openItems(batch.id(), true, room)) {
                if (!submit(batch, item)) {
                    break; // saturated or unavailable for now: what was done is kept, the rest waits for a later tick
                }
            }
        }
        batches.recount(batch.id());
        if (batches.countOpen(batch.id(), false) == 0) {
            batches.finalizing(batch.id());
        }
    }

    /**
     * Submits one line as a job, or answers it with the error its endpoint would give. False when it
     * met a transient refusal (the suite's backpressure, 429/503, or a store that is down): the line
     * stays unsubmitted and is tried again on a later tick.
     */
    private boolean submit(Batch batch, BatchRepository.OpenItem item) {
        LineSubmitter.Outcome outcome = submitter.submit(batch.tenant(), batch.endpoint(), item.body(),
                "batch/" + batch.id() + "/" + item.line());
        if (outcome instanceof LineSubmitter.Submitted submitted) {
            batches.setJob(batch.id(), item.line(), submitted.jobId());
            return true;
        }
        LineSubmitter.Refused refused = (LineSubmitter.Refused) outcome;
        if (refused.retryLater()) {
            log.debug("Line {} of batch {} waits: {}", item.line(), batch.id(), refused.detail());
            return false;
        }
        String key = BatchLines.key(batch.id(), item.line());
        batches.finishItem(batch.id(), item.line(), false, lines.httpError(key, item.customId(), BatchLines.requestId(key),
                refused.code(), refused.detail()));
        return true;
    }

    /** Records the output line of every open item whose job ended. */
    private void collect(Batch batch) {
        for (BatchRepository.OpenItem item : batches.itemsWithFinishedJobs(batch.id())) {
            Job job = jobs.find(batch.tenant(), item.jobId()).block(Duration.ofSeconds(30));
            batches.finishItem(batch.id(), item.line(), job.status() == dev.ovis.serve.common.job.JobStatus.SUCCEEDED,
                    lines.fromJob(BatchLines.key(batch.id(), item.line()), item.customId(), job));
        }
    }

    /**
     * Ends a batch early: results that arrived are kept, running jobs are cancelled, lines that never
     * ran get {@code code}; once no line is open the files are written and the batch ends in {@code end}.
     */
    private void windDown(Batch batch, BatchStatus end, String code, String message) {
        collect(batch);
        for (BatchRepository.OpenItem item : batches.openItems(batch.id(), false, WIND_DOWN_SLICE)) {
            if (item.jobId() != null) {
                try {
                    jobs.cancel(batch.tenant(), item.jobId(), "batch " + batch.id() + " " + end.wire())
                            .block(Duration.ofSeconds(30));
                } catch (ApiException finished) {
                    if (finished.code() == ErrorCode.CONFLICT) {
                        continue; // it ended meanwhile: its own result is collected on the next step
                    }
                    throw finished;
                }
            }
            batches.finishItem(batch.id(), item.line(), false,
                    lines.notRun(BatchLines.key(batch.id(), item.line()), item.customId(), code, message));
        }
        batches.recount(batch.id());
        if (batches.countOpen(batch.id(), false) == 0) {
            finish(batch, end);
        }
    }

    /** Writes the output and error files (when they have lines) and ends the batch in {@code status}. */
    private void finish(Batch batch, BatchStatus status) {
        batches.recount(batch.id());
        String output = writeFile(batch, true);
        String error = writeFile(batch, false);
        batches.finish(batch.id(), status, output, error);
        log.info("Batch {} {}: output file {}, error file {}", batch.id(), status.wire(), output, error);
    }

    private String writeFile(Batch batch, boolean succeeded) {
        try {
            Path temp = files.tempFile();
            try {
                int[] count = {0};
                try (BufferedWriter writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                    batches.outputs(batch.id(), succeeded, line -> {
                        try {
                            writer.write(line);
                            writer.write('\n');
                            count[0]++;
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
                if (count[0] == 0) {
                    return null;
                }
                String kind = succeeded ? "output" : "error";
                String id = "file-" + UUID.nameUUIDFromBytes((batch.id() + "#" + kind).getBytes(StandardCharsets.UTF_8))
                        .toString().replace("-", "").substring(0, 24);
                Duration expiry = batch.outputExpiresAfter() == null ? null : Duration.ofSeconds(batch.outputExpiresAfter());
                return files.store(batch.tenant(), id, FileService.BATCH_OUTPUT, batch.id() + "_" + kind + ".jsonl", temp,
                        expiry).id();
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the files of batch " + batch.id(), e);
        }
    }

    private ObjectNode errors(List<Map<String, Object>> data) {
        ObjectNode errors = json.createObjectNode();
        errors.put("object", "list");
        errors.set("data", json.valueToTree(data));
        return errors;
    }
}
