package dev.ovis.serve.gateway.batch;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Validates a batch input file as OpenAI does before a batch starts: every line one JSON object
 * {@code {"custom_id", "method": "POST", "url": <the batch's endpoint>, "body": {...}}}, custom ids
 * unique, the model (for chat) served, at most {@code maxLines} lines. Any error fails the whole
 * batch; each is reported with its 1-based line number. Whether a body is a valid request is decided
 * later, per line, and answered in the error file.
 */
final class BatchInput {

    /** Errors listed at most (the batch fails at the first one anyway; more help fix the file). */
    static final int MAX_ERRORS = 100;

    /** What validation found: the items when {@code errors} is empty. */
    record Result(List<BatchRepository.NewItem> items, List<Map<String, Object>> errors) {
    }

    private BatchInput() {
    }

    static Result read(BufferedReader reader, String endpoint, Predicate<String> modelServed, int maxLines,
                       JsonMapper json) throws IOException {
        List<BatchRepository.NewItem> items = new ArrayList<>();
        List<Map<String, Object>> errors = new ArrayList<>();
        Set<String> customIds = new HashSet<>();
        boolean chat = endpoint.equals(BatchEndpoints.CHAT);
        int lineNumber = 0;
        int requests = 0;
        for (String line = reader.readLine(); line != null && errors.size() < MAX_ERRORS; line = reader.readLine()) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            if (++requests > maxLines) {
                errors.add(error("too_many_requests", "the file has more than " + maxLines + " requests", null, lineNumber));
                break;
            }
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (JacksonException e) {
                errors.add(error("invalid_json_line", "this line is not valid JSON: " + e.getOriginalMessage(), null, lineNumber));
                continue;
            }
            if (node == null || !node.isObject()) {
                errors.add(error("invalid_json_line", "each line must be a JSON object", null, lineNumber));
                continue;
            }
            JsonNode customId = node.get("custom_id");
            if (customId == null || !customId.isString() || customId.asString().isBlank()) {
                errors.add(error("missing_required_parameter", "'custom_id' must be a non-empty string", "custom_id", lineNumber));
                continue;
            }
            if (customId.asString().length() > 512) {
                errors.add(error("invalid_value", "'custom_id' is longer than 512 characters", "custom_id", lineNumber));
                continue;
            }
            if (!customIds.add(customId.asString())) {
                errors.add(error("duplicate_custom_id", "the custom_id '" + customId.asString()
                        + "' appears on an earlier line; each request needs its own", "custom_id", lineNumber));
                continue;
            }
            JsonNode method = node.get("method");
            if (method == null || !method.isString() || !method.asString().equals("POST")) {
                errors.add(error("invalid_value", "'method' must be \"POST\"", "method", lineNumber));
                continue;
            }
            JsonNode url = node.get("url");
            if (url == null || !url.isString() || !url.asString().equals(endpoint)) {
                errors.add(error("mismatched_endpoint", "'url' must be the batch's endpoint '" + endpoint + "', was "
                        + (url == null ? "missing" : url.toString()), "url", lineNumber));
                continue;
            }
            JsonNode body = node.get("body");
            if (body == null || !body.isObject()) {
                errors.add(error("missing_required_parameter", "'body' must be a JSON object: the request to " + endpoint,
                        "body", lineNumber));
                continue;
            }
            if (chat) {
                JsonNode model = body.get("model");
                if (model == null || !model.isString() || model.asString().isBlank()) {
                    errors.add(error("missing_required_parameter", "'body.model' must be a non-empty string", "body.model", lineNumber));
                    continue;
                }
                if (!modelServed.test(model.asString())) {
                    errors.add(error("model_not_found", "the model '" + model.asString() + "' is not served here",
                            "body.model", lineNumber));
                    continue;
                }
            }
            items.add(new BatchRepository.NewItem(lineNumber, customId.asString(), json.writeValueAsString(body)));
        }
        if (errors.isEmpty() && items.isEmpty()) {
            errors.add(error("empty_file", "the input file holds no requests", null, null));
        }
        return new Result(errors.isEmpty() ? items : List.of(), errors);
    }

    /** One entry of the batch's {@code errors.data}, as OpenAI writes it. */
    static Map<String, Object> error(String code, String message, String param, Integer line) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("param", param);
        error.put("line", line);
        return error;
    }
}
