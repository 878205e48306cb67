package dev.ovis.serve.gateway.batch;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.BlockingSchedulers;
import dev.ovis.serve.gateway.files.ExpiresAfter;
import dev.ovis.serve.gateway.files.FileRecord;
import dev.ovis.serve.gateway.files.FileService;
import dev.ovis.serve.gateway.problem.ApiException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Creates, reads, lists and cancels batches for a tenant; the {@link BatchRunner} does the work.
 * Non-blocking: JDBC runs on {@link BlockingSchedulers#db()}.
 */
@Service
class BatchService {

    static final String WINDOW = "24h";
    private static final int MAX_METADATA_PAIRS = 16;

    private final BatchRepository batches;
    private final FileService files;
    private final BlockingSchedulers schedulers;
    private final Duration windowLength;

    BatchService(BatchRepository batches, FileService files, BlockingSchedulers schedulers, BatchProperties properties) {
        this.batches = batches;
        this.files = files;
        this.schedulers = schedulers;
        this.windowLength = properties.completionWindow();
    }

    /** Checks the request (input file of the tenant with purpose batch, endpoint, window, metadata) and stores the batch as validating. */
    Mono<Batch> create(String tenant, JsonNode body) {
        return blocking(() -> {
            if (!body.isObject()) {
                throw invalid("the body must be a JSON object");
            }
            String inputFileId = requiredString(body, "input_file_id");
            String endpoint = requiredString(body, "endpoint");
            if (!BatchEndpoints.ALL.contains(endpoint)) {
                throw invalid("'endpoint' must be one of " + BatchEndpoints.ALL + ", was '" + endpoint + "'");
            }
            String window = requiredString(body, "completion_window");
            if (!window.equals(WINDOW)) {
                throw invalid("'completion_window' must be \"" + WINDOW + "\", was '" + window + "'");
            }
            JsonNode metadata = body.get("metadata");
            if (metadata != null && !metadata.isNull()) {
                checkMetadata(metadata);
            } else {
                metadata = null;
            }
            Duration outputExpiry = outputExpiresAfter(body.get("output_expires_after"));
            FileRecord input = files.findNow(tenant, inputFileId)
                    .orElseThrow(() -> invalid("'input_file_id' names no file of yours: '" + inputFileId + "'"));
            if (!input.purpose().equals("batch")) {
                throw invalid("the input file must have been uploaded with purpose \"batch\", it has '" + input.purpose() + "'");
            }
            String id = "batch_" + UUID.randomUUID().toString().replace("-", "");
            return batches.insert(id, tenant, endpoint, inputFileId, window, metadata, windowLength, outputExpiry);
        });
    }

    Mono<Batch> find(String tenant, String id) {
        return blocking(() -> batches.find(tenant, id).orElseThrow(() -> ApiException.notFound("batch", id)));
    }

    /** Up to {@code limit + 1} batches, newest first, after the batch {@code after} when given. */
    Mono<List<Batch>> page(String tenant, String after, int limit) {
        return blocking(() -> {
            Batch cursor = null;
            if (after != null && !after.isBlank()) {
                cursor = batches.find(tenant, after).orElseThrow(() -> ApiException.notFound("batch", after));
            }
            return batches.page(tenant, cursor, limit + 1);
        });
    }

    /**
     * Asks to cancel: validating or in-progress batches become cancelling (the runner then cancels
     * their jobs and ends them cancelled); cancelling a cancelling or cancelled batch answers it as
     * it is; any other status is a 409.
     */
    Mono<Batch> cancel(String tenant, String id) {
        return blocking(() -> batches.requestCancel(tenant, id).orElseGet(() -> {
            Batch batch = batches.find(tenant, id).orElseThrow(() -> ApiException.notFound("batch", id));
            if (batch.status() == BatchStatus.CANCELLING || batch.status() == BatchStatus.CANCELLED) {
                return batch;
            }
            throw new ApiException(ErrorCode.CONFLICT, "batch " + id + " is " + batch.status().wire() + " and cannot be cancelled");
        }));
    }

    /** {@code output_expires_after}: the expiry of the output and error files, or null when absent. */
    private static Duration outputExpiresAfter(JsonNode policy) {
        if (policy == null || policy.isNull()) {
            return null;
        }
        if (!policy.isObject()) {
            throw invalid("'output_expires_after' must be an object {\"anchor\": \"created_at\", \"seconds\": N}");
        }
        JsonNode anchor = policy.get("anchor");
        JsonNode seconds = policy.get("seconds");
        // an object was given: both parts are required (an absent anchor is refused as not "created_at")
        return ExpiresAfter.parse("output_expires_after", anchor == null || anchor.isNull() ? "" : anchor.asString(),
                seconds == null || seconds.isNull() ? null : seconds.isIntegralNumber() ? seconds.asString() : seconds.toString());
    }

    private static void checkMetadata(JsonNode metadata) {
        if (!metadata.isObject()) {
            throw invalid("'metadata' must be an object of string values");
        }
        if (metadata.size() > MAX_METADATA_PAIRS) {
            throw invalid("'metadata' may hold at most " + MAX_METADATA_PAIRS + " pairs");
        }
        for (Map.Entry<String, JsonNode> pair : metadata.properties()) {
            if (pair.getKey().length() > 64 || !pair.getValue().isString() || pair.getValue().asString().length() > 512) {
                throw invalid("'metadata' keys must be at most 64 characters and values strings of at most 512");
            }
        }
    }

    private static String requiredString(JsonNode body, String name) {
        JsonNode value = body.get(name);
        if (value == null || !value.isString() || value.asString().isBlank()) {
            throw invalid("'" + name + "' must be a non-empty string");
        }
        return value.asString();
    }

    private static ApiException invalid(String detail) {
        return new ApiException(ErrorCode.INVALID_REQUEST, detail);
    }

    private <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(schedulers.db());
    }
}
