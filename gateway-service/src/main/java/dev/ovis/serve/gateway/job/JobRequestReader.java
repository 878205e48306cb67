package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobKind;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.common.video.KeyframeTask;
import dev.ovis.serve.gateway.JsonFields;
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
 * A chat job, raw task ({@code "payload"}) or chat-completions body ({@code "request"}), goes to the
 * chat feature whole ({@link ChatRequests}), which alone reads and checks chats.
 */
@Component
class JobRequestReader {

    /** A request ready for {@link JobService#submit}. */
    record Resolved(JobPayload payload, Route route) {

        static Resolved of(ChatRequests.Prepared prepared) {
            return new Resolved(prepared.payload(), prepared.route());
        }
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
            return chatRequests.prepareJob(tenant, chatRequest).map(Resolved::of);
        }
        JsonNode payload = root.get("payload");
        if (payload == null || !payload.isObject()) {
            return Mono.error(invalid("'payload' must be an object shaped like the " + kind + " task"));
        }
        ObjectNode copy = (ObjectNode) payload.deepCopy();
        if (kind == JobKind.CHAT) {
            return chatRequests.prepareTask(tenant, copy, withIds -> resolveMedia(tenant, withIds)).map(Resolved::of);
        }
        return Mono.defer(() -> {
            requireMedia(copy);
            return resolveMedia(tenant, copy);
        }).map(resolved -> toPayload(kind, resolved));
    }

    /** Replaces every "media" id of a payload by the tenant's upload it names. */
    private Mono<ObjectNode> resolveMedia(String tenant, ObjectNode payload) {
        Set<String> ids = new LinkedHashSet<>();
        try {
            collectMediaIds(payload, "payload", ids);
        } catch (ApiException e) {
            return Mono.error(e);
        }
        return Flux.fromIterable(ids)
                .concatMap(id -> media.resolve(tenant, id)
                        .onErrorMap(ApiException.class, e -> e.code() == ErrorCode.NOT_FOUND
                                ? invalid("payload references media '" + id + "', which this tenant has not uploaded") : e)
                        .map(ref -> Map.entry(id, ref)))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .map(refs -> {
                    replaceMediaIds(payload, refs);
                    return payload;
                });
    }

    /**
     * The one member an OCR or key-frame task cannot do without, by name, so its record never
     * meets a null it would reject with a NullPointerException.
     */
    private static void requireMedia(ObjectNode payload) {
        JsonNode media = payload.get("media");
        if (media == null || media.isNull()) {
            throw invalid("'payload.media' must be a media id returned by POST /v1/media");
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
            JobPayload resolved = switch (kind) {
                case OCR -> JobPayload.of(read(payload, OcrTask.class));
                case KEYFRAMES -> JobPayload.of(read(payload, KeyframeTask.class));
                case CHAT -> throw new IllegalStateException("chat jobs are read by the chat feature");
            };
            return new Resolved(resolved, RoutePlanner.plan(resolved));
        } catch (JacksonException e) {
            throw invalid("payload does not fit the " + kind + " task: " + e.getOriginalMessage() + JsonFields.pathOf(e, "payload"));
        } catch (IllegalArgumentException e) {
            throw invalid("payload does not fit the " + kind + " task: " + e.getMessage());
        }
    }

    private <T> T read(JsonNode payload, Class<T> type) {
        return json.readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(payload);
    }

    private static ApiException invalid(String detail) {
        return new ApiException(ErrorCode.INVALID_REQUEST, detail);
    }
}
