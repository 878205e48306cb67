package dev.ovis.serve.gateway.batch;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A batch as stored in the {@code batches} table.
 *
 * @param finalStatus where finalizing ends ({@code completed}, or {@code expired} once the window
 *                    elapsed), {@code null} until decided
 * @param outputExpiresAfter seconds after their creation that the output and error files expire
 *                    ({@code output_expires_after}), {@code null} = kept until deleted
 */
record Batch(String id, String tenant, String endpoint, String inputFileId, String completionWindow, BatchStatus status,
             JsonNode metadata, JsonNode errors, String outputFileId, String errorFileId, int total, int completed,
             int failed, BatchStatus finalStatus, Instant createdAt, Instant expiresAt, Instant inProgressAt,
             Instant finalizingAt, Instant completedAt, Instant failedAt, Instant expiredAt, Instant cancellingAt,
             Instant cancelledAt, Integer outputExpiresAfter) {

    /** The OpenAI {@code batch} object. */
    Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("object", "batch");
        view.put("endpoint", endpoint);
        view.put("errors", errors);
        view.put("input_file_id", inputFileId);
        view.put("completion_window", completionWindow);
        view.put("status", status.wire());
        view.put("output_file_id", outputFileId);
        view.put("error_file_id", errorFileId);
        view.put("created_at", seconds(createdAt));
        view.put("in_progress_at", seconds(inProgressAt));
        view.put("expires_at", seconds(expiresAt));
        view.put("finalizing_at", seconds(finalizingAt));
        view.put("completed_at", seconds(completedAt));
        view.put("failed_at", seconds(failedAt));
        view.put("expired_at", seconds(expiredAt));
        view.put("cancelling_at", seconds(cancellingAt));
        view.put("cancelled_at", seconds(cancelledAt));
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("total", total);
        counts.put("completed", completed);
        counts.put("failed", failed);
        view.put("request_counts", counts);
        view.put("metadata", metadata);
        return view;
    }

    private static Long seconds(Instant instant) {
        return instant == null ? null : instant.getEpochSecond();
    }
}
