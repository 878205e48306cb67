package dev.ovis.serve.gateway.batch;

import dev.ovis.serve.common.OvisLimits;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.common.video.KeyframeTask;
import dev.ovis.serve.gateway.JsonFields;
import dev.ovis.serve.gateway.job.ChatRequests;
import dev.ovis.serve.gateway.media.MediaSourceResolver;
import dev.ovis.serve.gateway.problem.ApiException;
import dev.ovis.serve.gateway.route.RoutePlanner;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Turns the {@code body} of one batch line into a job, exactly as the line's endpoint reads its
 * JSON body: chat through the chat feature ({@link ChatRequests}); OCR ({@code image}, {@code
 * languages}, {@code engine}) and key frames ({@code video}, {@code question}, {@code frames},
 * {@code segment_size}) like {@code POST /v1/ocr} and {@code POST /v1/video/keyframes}. Media may be
 * URLs, data URIs or media ids, resolved into the object store. A refused body is an
 * {@link ApiException}, which becomes the line's error response.
 */
@Component
class LineRequests {

    private final ChatRequests chat;
    private final MediaSourceResolver sources;

    LineRequests(ChatRequests chat, MediaSourceResolver sources) {
        this.chat = chat;
        this.sources = sources;
    }

    Mono<ChatRequests.Prepared> prepare(String tenant, String endpoint, JsonNode body) {
        return Mono.defer(() -> prepareNow(tenant, endpoint, body));
    }

    private Mono<ChatRequests.Prepared> prepareNow(String tenant, String endpoint, JsonNode body) {
        return switch (endpoint) {
            case BatchEndpoints.CHAT -> {
                JsonNode stream = body.get("stream");
                if (stream != null && stream.isBoolean() && stream.booleanValue()) {
                    yield Mono.error(invalid("'stream' is not supported in a batch: each answer is one output line"));
                }
                yield chat.prepareJob(tenant, body);
            }
            case BatchEndpoints.OCR -> ocr(tenant, body);
            case BatchEndpoints.KEYFRAMES -> keyframes(tenant, body);
            default -> Mono.error(invalid("unsupported endpoint " + endpoint));
        };
    }

    private Mono<ChatRequests.Prepared> ocr(String tenant, JsonNode body) {
        JsonNode image = body.get("image");
        if (image == null || !image.isString()) {
            return Mono.error(invalid("'image' must be a string: an https URL, a data: URI or a media id from POST /v1/media"));
        }
        List<String> languages = new ArrayList<>();
        JsonNode list = body.get("languages");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                return Mono.error(invalid("'languages' must be an array of language codes"));
            }
            for (JsonNode language : list) {
                if (!language.isString()) {
                    return Mono.error(invalid("'languages' must hold strings"));
                }
                languages.add(language.asString());
            }
        }
        String engine = optionalString(body, "engine");
        return sources.resolve(tenant, image.asString(), "image").map(ref -> {
            if (!ref.contentType().startsWith("image/")) {
                throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "OCR reads images; the media is " + ref.contentType());
            }
            JobPayload payload = JobPayload.of(new OcrTask(ref, languages, engine));
            return new ChatRequests.Prepared(payload, RoutePlanner.plan(payload));
        });
    }

    private Mono<ChatRequests.Prepared> keyframes(String tenant, JsonNode body) {
        JsonNode video = body.get("video");
        if (video == null || !video.isString()) {
            return Mono.error(invalid("'video' must be a string: an https URL, a data: URI or a media id from POST /v1/media"));
        }
        String question = optionalString(body, "question");
        Integer frames = JsonFields.optionalInt(body, "frames", OvisLimits.MIN_FRAMES, OvisLimits.MAX_FRAMES);
        Integer segment = JsonFields.optionalInt(body, "segment_size", 1, Integer.MAX_VALUE);
        return sources.resolve(tenant, video.asString(), "video").map(ref -> {
            if (!ref.contentType().startsWith("video/") && !ref.contentType().equals("image/gif")) {
                throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "key frames come from videos (or animated GIFs); the media is " + ref.contentType());
            }
            return keyframeJob(ref, question == null ? "" : question, frames, segment);
        });
    }

    private static ChatRequests.Prepared keyframeJob(MediaRef video, String question, Integer frames, Integer segment) {
        JobPayload payload = JobPayload.of(new KeyframeTask(video, question, frames, segment));
        return new ChatRequests.Prepared(payload, RoutePlanner.plan(payload));
    }

    private static String optionalString(JsonNode body, String name) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw invalid("'" + name + "' must be a string");
        }
        return value.asString();
    }

    private static ApiException invalid(String detail) {
        return new ApiException(ErrorCode.INVALID_REQUEST, detail);
    }
}
