package dev.ovis.serve.gateway.chat;

import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.PartType;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.JsonFields;
import dev.ovis.serve.gateway.problem.ApiException;
import java.util.Arrays;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a raw {@link ChatTask} ({@code POST /v1/jobs} with {@code "payload"}). The members the
 * records cannot do without are checked by name first ({@link #checkShape}), so what is left to the
 * records' compact constructors are their value rules, answered as precise 400s; a record never
 * meets a null it would reject with a NullPointerException.
 */
final class ChatTaskReader {

    private final JsonMapper json;

    ChatTaskReader(JsonMapper json) {
        this.json = json;
    }

    /** The members a raw chat task cannot do without, by name: a missing role is {@code 'payload.messages[0].role'}. */
    static void checkShape(JsonNode payload) {
        JsonNode model = payload.get("model");
        if (model == null || !model.isString() || model.asString().isBlank()) {
            throw invalid("'payload.model' must be a non-empty string");
        }
        JsonNode messages = payload.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw invalid("'payload.messages' must be a non-empty array");
        }
        for (int i = 0; i < messages.size(); i++) {
            String path = "payload.messages[" + i + "]";
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                throw invalid("'" + path + "' must be an object {\"role\": ..., \"parts\": [...]}");
            }
            JsonNode role = message.get("role");
            if (role == null || !role.isString() || Arrays.stream(Role.values()).noneMatch(r -> r.name().equals(role.asString()))) {
                throw invalid("'" + path + ".role' must be one of " + Arrays.toString(Role.values()));
            }
            JsonNode parts = message.get("parts");
            if (parts == null || !parts.isArray() || parts.isEmpty()) {
                throw invalid("'" + path + ".parts' must be a non-empty array");
            }
            for (int j = 0; j < parts.size(); j++) {
                JsonNode part = parts.get(j);
                JsonNode type = part.isObject() ? part.get("type") : null;
                if (type == null || !type.isString() || Arrays.stream(PartType.values()).noneMatch(t -> t.name().equals(type.asString()))) {
                    throw invalid("'" + path + ".parts[" + j + "].type' must be one of " + Arrays.toString(PartType.values()));
                }
            }
        }
    }

    /** Builds the task of a payload whose shape passed {@link #checkShape} and whose media ids are resolved. */
    ChatTask read(ObjectNode payload) {
        if (!payload.has("sampling") || payload.get("sampling").isNull()) {
            payload.set("sampling", json.valueToTree(SamplingParams.REFERENCE));
        }
        if (!payload.has("stream") || payload.get("stream").isNull()) {
            payload.put("stream", false);
        }
        try {
            return json.readerFor(ChatTask.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(payload);
        } catch (JacksonException e) {
            throw invalid("payload does not fit the CHAT task: " + e.getOriginalMessage() + JsonFields.pathOf(e, "payload"));
        } catch (IllegalArgumentException e) {
            throw invalid("payload does not fit the CHAT task: " + e.getMessage());
        }
    }

    private static ApiException invalid(String detail) {
        return new ApiException(ErrorCode.INVALID_REQUEST, detail);
    }
}
