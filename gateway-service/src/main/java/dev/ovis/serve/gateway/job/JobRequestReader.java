package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.PartType;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobKind;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.common.video.KeyframeTask;
import dev.ovis.serve.gateway.media.MediaService;
import dev.ovis.serve.gateway.problem.ApiException;
import dev.ovis.serve.gateway.route.RoutePlanner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the body of {@code POST /v1/jobs} — {@code {"kind": "OCR", "payload": {...}}} with the
 * payload shaped like the kind's task record in {@code common} — into a fully resolved
 * {@link JobPayload} and its {@link Route}. Every {@code "media"} member must be the id of the
 * tenant's own upload and is replaced by its {@link MediaRef}; clients can never name object keys.
 * A chat job may instead carry a whole chat-completions body as {@code "request"}.
 */
@Component
class JobRequestReader {

    /** A request ready for {@link JobService#submit}. */
    record Resolved(JobPayload payload, Route route) {
    }

    private final JsonMapper json;
    private final MediaService media;
    private final ChatRequests chatRequests;

    JobRequestReader(JsonMapper json, MediaService media, ChatRequests chatRequests) {
        this.json = json;
        this.media = media;
        this.chatRequests = chatRequests;
    }

    /** Resolves a parsed and checked body ({@link dev.ovis.serve.gateway.JsonBody}). */
    Mono<Resolved> read(String tenant, JsonNode root) {
        if (!root.isObject()) {
            return Mono.error(invalid("the body must be a JSON object {\"kind\": ..., \"payload\": {...}}"));
        }
        JobKind kind;
        try {
            kind = kind(root.get("kind"));
        } catch (ApiException e) {
            return Mono.error(e);
        }
        JsonNode chatRequest = root.get("request");
        if (kind == JobKind.CHAT && chatRequest != null && !chatRequest.isNull()) {
            return chatRequests.prepareJob(tenant, chatRequest).map(job -> new Resolved(job.payload(), job.route()));
        }
        JsonNode payload = root.get("payload");
        if (payload == null || !payload.isObject()) {
            return Mono.error(invalid("'payload' must be an object shaped like the " + kind + " task"));
        }
        ObjectNode copy = (ObjectNode) payload.deepCopy();
        Set<String> ids = new LinkedHashSet<>();
        try {
            if (kind == JobKind.CHAT) {
                checkChatShape(copy);
            }
            collectMediaIds(copy, "payload", ids);
        } catch (ApiException e) {
            return Mono.error(e);
        }
        return Flux.fromIterable(ids)
                .concatMap(id -> media.resolve(tenant, id)
                        .onErrorMap(ApiException.class, e -> e.code() == ErrorCode.NOT_FOUND
                                ? invalid("payload references media '" + id + "', which this tenant has not uploaded") : e)
                        .map(ref -> Map.entry(id, ref)))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .flatMap(refs -> {
                    replaceMediaIds(copy, refs);
                    Resolved resolved = toPayload(kind, copy);
                    return kind == JobKind.CHAT
                            ? chatRequests.checkTask(tenant, resolved.payload().chat()).map(job -> new Resolved(job.payload(), job.route()))
                            : Mono.just(resolved);
                });
    }

    /**
     * The members a raw chat task cannot do without, checked by name before Jackson builds the
     * records — so a missing role is a 400 naming {@code payload.messages[0].role}, not a
     * NullPointerException's message.
     */
    private static void checkChatShape(ObjectNode payload) {
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

    private static JobKind kind(JsonNode node) {
        String expected = Arrays.toString(JobKind.values());
        if (node == null || !node.isString()) {
            throw invalid("'kind' must be one of " + expected);
        }
        try {
            return JobKind.valueOf(node.asString().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("unknown kind '" + node.asString() + "': expected one of " + expected);
        }
    }

    /** Finds every "media" member (must be a media id); refuses client-made visual-embedding references. */
    private static void collectMediaIds(JsonNode node, String path, Set<String> ids) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                String here = path + "." + member.getKey();
                if (member.getKey().equals("media")) {
                    if (!member.getValue().isString()) {
                        throw invalid(here + " must be a media id returned by POST /v1/media");
                    }
                    ids.add(member.getValue().asString());
                } else if (member.getKey().equals("visual") && !member.getValue().isNull()) {
                    throw invalid(here + " is set by the vision stage and cannot be sent");
                } else {
                    collectMediaIds(member.getValue(), here, ids);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectMediaIds(node.get(i), path + "[" + i + "]", ids);
            }
        }
    }

    private void replaceMediaIds(JsonNode node, Map<String, MediaRef> refs) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            List<String> names = new ArrayList<>(object.propertyNames());
            for (String name : names) {
                JsonNode value = object.get(name);
                if (name.equals("media") && value.isString()) {
                    object.set(name, json.valueToTree(refs.get(value.asString())));
                } else {
                    replaceMediaIds(value, refs);
                }
            }
        } else if (node.isArray()) {
            node.forEach(child -> replaceMediaIds(child, refs));
        }
    }

    private Resolved toPayload(JobKind kind, ObjectNode payload) {
        try {
            return switch (kind) {
                case OCR -> resolved(JobPayload.of(read(payload, OcrTask.class)));
                case KEYFRAMES -> resolved(JobPayload.of(read(payload, KeyframeTask.class)));
                case CHAT -> {
                    if (!payload.has("sampling") || payload.get("sampling").isNull()) {
                        payload.set("sampling", json.valueToTree(SamplingParams.REFERENCE));
                    }
                    if (!payload.has("stream") || payload.get("stream").isNull()) {
                        payload.put("stream", false);
                    }
                    yield resolved(JobPayload.of(read(payload, ChatTask.class)));
                }
            };
        } catch (JacksonException e) {
            throw invalid("payload does not fit the " + kind + " task: " + e.getOriginalMessage() + pathOf(e));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw invalid("payload does not fit the " + kind + " task: " + e.getMessage());
        }
    }

    private static Resolved resolved(JobPayload payload) {
        return new Resolved(payload, RoutePlanner.plan(payload));
    }

    private <T> T read(JsonNode payload, Class<T> type) {
        return json.readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(payload);
    }

    private static String pathOf(JacksonException e) {
        String path = e.getPath().stream()
                .map(reference -> reference.getPropertyName() != null ? "." + reference.getPropertyName() : "[" + reference.getIndex() + "]")
                .reduce("payload", String::concat);
        return path.equals("payload") ? "" : " (at " + path + ")";
    }

    private static ApiException invalid(String detail) {
        return new ApiException(ErrorCode.INVALID_REQUEST, detail);
    }
}
