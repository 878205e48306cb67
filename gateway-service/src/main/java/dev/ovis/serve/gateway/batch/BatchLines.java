package dev.ovis.serve.gateway.batch;

import dev.ovis.serve.common.chat.ChatResult;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.video.KeyframeResult;
import dev.ovis.serve.gateway.chat.OpenAiFormat;
import dev.ovis.serve.gateway.job.Job;
import dev.ovis.serve.gateway.problem.Problem;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the lines of a batch's output and error files exactly as OpenAI does:
 * {@code {"id": "batch_req_…", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}}.
 * A request the endpoint answered (with a result or an HTTP error) has a {@code response} and a null
 * {@code error}; one that never ran (cancelled or expired batch) has a null {@code response} and an
 * {@code error} {@code {"code", "message"}}. The body of a success is what the endpoint answers.
 */
final class BatchLines {

    private final JsonMapper json;
    private final OpenAiFormat chat;

    BatchLines(JsonMapper json) {
        this.json = json;
        this.chat = new OpenAiFormat(json);
    }

    /** The line for a finished job: its result as the endpoint's 200 body, or its failure as an error response. */
    ObjectNode fromJob(String key, String customId, Job job) {
        if (job.status() == JobStatus.SUCCEEDED && job.result() != null) {
            return response(key, customId, 200, job.id(), body(job));
        }
        Failure failure = job.failure() != null ? job.failure()
                : new Failure(ErrorCode.INTERNAL, "job " + job.id() + " ended " + job.status() + " without a result");
        return httpError(key, customId, job.id(), failure.code(), failure.detail());
    }

    /** The line for a request refused before it became a job (e.g. a body the endpoint rejects). */
    ObjectNode httpError(String key, String customId, String requestId, ErrorCode code, String detail) {
        ObjectNode body = json.createObjectNode();
        body.set("error", json.valueToTree(Problem.openAiError(code, detail)));
        return response(key, customId, code.httpStatus(), requestId, body);
    }

    /** The line for a request that never ran, e.g. {@code batch_cancelled} or {@code batch_expired}. */
    ObjectNode notRun(String key, String customId, String code, String message) {
        ObjectNode root = header(key, customId);
        root.putNull("response");
        ObjectNode error = root.putObject("error");
        error.put("code", code);
        error.put("message", message);
        return root;
    }

    /** The key of line {@code line} of a batch: the seed of its line id. */
    static String key(String batchId, int line) {
        return batchId + "#" + line;
    }

    /** A request id for a line that has no job: stable per key, so a retried step writes the same one. */
    static String requestId(String key) {
        return UUID.nameUUIDFromBytes((key + "#request").getBytes(StandardCharsets.UTF_8)).toString();
    }

    private ObjectNode response(String key, String customId, int status, String requestId, JsonNode body) {
        ObjectNode root = header(key, customId);
        ObjectNode response = root.putObject("response");
        response.put("status_code", status);
        response.put("request_id", requestId);
        response.set("body", body);
        root.putNull("error");
        return root;
    }

    /** {@code id} (stable per key: a rewritten line keeps its id) and {@code custom_id}. */
    private ObjectNode header(String key, String customId) {
        ObjectNode root = json.createObjectNode();
        root.put("id", "batch_req_" + UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString().replace("-", ""));
        root.put("custom_id", customId);
        return root;
    }

    private JsonNode body(Job job) {
        return switch (job.kind()) {
            case CHAT -> {
                ChatResult result = job.result().chat();
                boolean logprobs = job.payload() instanceof JobPayload.Chat payload && payload.task().sampling().logprobs();
                yield chat.completion(job.id(), job.createdAt().getEpochSecond(), result.model(), result, logprobs);
            }
            case OCR -> json.valueToTree(job.result().ocr());
            case KEYFRAMES -> keyframes(job);
        };
    }

    /** The shape {@code POST /v1/video/keyframes} answers with. */
    private ObjectNode keyframes(Job job) {
        KeyframeResult result = job.result().keyframes();
        ObjectNode view = json.createObjectNode();
        view.put("job_id", job.id());
        view.put("embedder", result.embedder());
        view.put("candidates", result.candidates());
        view.put("duration", result.duration());
        ArrayNode frames = view.putArray("frames");
        for (int i = 0; i < result.frames().size(); i++) {
            var frame = result.frames().get(i);
            frames.addObject().put("index", frame.index()).put("timestamp", frame.timestamp())
                    .put("thumbnail", "/v1/video/keyframes/" + job.id() + "/frames/" + i);
        }
        return view;
    }
}
