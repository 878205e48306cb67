package dev.ovis.serve.gateway.video;

import dev.ovis.serve.common.OvisLimits;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.video.KeyframeResult;
import dev.ovis.serve.common.video.KeyframeTask;
import dev.ovis.serve.gateway.BlockingSchedulers;
import dev.ovis.serve.gateway.JsonBody;
import dev.ovis.serve.gateway.JsonFields;
import dev.ovis.serve.gateway.auth.Tenant;
import dev.ovis.serve.gateway.job.Job;
import dev.ovis.serve.gateway.job.JobService;
import dev.ovis.serve.gateway.job.JobView;
import dev.ovis.serve.gateway.job.JobWaiter;
import dev.ovis.serve.gateway.media.MediaForm;
import dev.ovis.serve.gateway.media.MediaSourceResolver;
import dev.ovis.serve.gateway.problem.ApiException;
import dev.ovis.serve.gateway.route.RoutePlanner;
import dev.ovis.serve.support.storage.ObjectStore;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/video/keyframes}: which frames of a video the model would look at for a question
 * — indices, timestamps and thumbnails — so users can see it. Multipart (part {@code file}; fields
 * {@code question}, {@code frames}, {@code segment_size}) or JSON ({@code {"video": url | data URI |
 * media id, "question": ..., "frames": 16, "segment_size": null}}). Answered when selection is done
 * (200), or 202 with the job when it runs past the synchronous deadline.
 */
@RestController
class KeyframesController {

    private final JobService jobs;
    private final JobWaiter waiter;
    private final MediaForm form;
    private final MediaSourceResolver sources;
    private final ObjectStore store;
    private final BlockingSchedulers schedulers;
    private final JsonMapper json;
    private final JsonBody jsonBody;
    private final Duration syncTimeout;
    private final long maxRequestBytes;

    KeyframesController(JobService jobs, JobWaiter waiter, MediaForm form, MediaSourceResolver sources, ObjectStore store,
                        BlockingSchedulers schedulers, JsonMapper json, JsonBody jsonBody,
                        @Value("${ovis.gateway.keyframes.sync-timeout:120s}") Duration syncTimeout,
                        @Value("${ovis.gateway.keyframes.max-request-bytes:72MB}") org.springframework.util.unit.DataSize maxRequestBytes) {
        this.jobs = jobs;
        this.waiter = waiter;
        this.form = form;
        this.sources = sources;
        this.store = store;
        this.schedulers = schedulers;
        this.json = json;
        this.jsonBody = jsonBody;
        this.syncTimeout = syncTimeout;
        this.maxRequestBytes = maxRequestBytes.toBytes();
    }

    @PostMapping("/v1/video/keyframes")
    Mono<ResponseEntity<Object>> select(Tenant tenant, ServerWebExchange exchange) {
        boolean multipart = MediaType.MULTIPART_FORM_DATA.isCompatibleWith(exchange.getRequest().getHeaders().getContentType());
        Mono<KeyframeTask> task = multipart
                ? form.read(tenant.id(), exchange.getRequest()).map(f -> task(f.file(), f.fields().get("question"),
                        integer(f.fields().get("frames"), "frames"), integer(f.fields().get("segment_size"), "segment_size")))
                : jsonBody.read(exchange.getRequest(), maxRequestBytes).flatMap(body -> fromJson(tenant.id(), body));
        return task.map(JobPayload::of)
                .flatMap(payload -> jobs.submit(tenant.id(), payload, RoutePlanner.plan(payload), null, null))
                .flatMap(submission -> waiter.succeeded(tenant.id(), submission.job().id(), syncTimeout)
                        .map(done -> ResponseEntity.ok().<Object>body(view(done)))
                        .switchIfEmpty(Mono.fromSupplier(() -> ResponseEntity.status(HttpStatus.ACCEPTED)
                                .location(URI.create("/v1/jobs/" + submission.job().id()))
                                .body(JobView.of(submission.job())))));
    }

    /** A selected frame's thumbnail (PNG), for the owner of the job only. */
    @GetMapping("/v1/video/keyframes/{jobId}/frames/{n}")
    Mono<ResponseEntity<Flux<DataBuffer>>> frame(Tenant tenant, @PathVariable String jobId, @PathVariable int n,
                                                 ServerWebExchange exchange) {
        return jobs.find(tenant.id(), jobId).map(job -> {
            KeyframeResult result = job.result() == null ? null : job.result().keyframes();
            if (result == null || n < 0 || n >= result.frames().size()) {
                throw ApiException.notFound("frame", jobId + "/" + n);
            }
            MediaRef image = result.frames().get(n).image();
            Flux<DataBuffer> bytes = DataBufferUtils.readInputStream(() -> store.open(image),
                    exchange.getResponse().bufferFactory(), 64 * 1024).subscribeOn(schedulers.storage());
            return ResponseEntity.ok().contentType(MediaType.parseMediaType(image.contentType()))
                    .contentLength(image.size()).body(bytes);
        });
    }

    private Mono<KeyframeTask> fromJson(String tenant, JsonNode body) {
        if (!body.isObject() || body.get("video") == null || !body.get("video").isString()) {
            return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST,
                    "'video' must be a string: an https URL, a data: URI or a media id from POST /v1/media"));
        }
        JsonNode question = body.get("question");
        if (question != null && !question.isNull() && !question.isString()) {
            return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "'question' must be a string"));
        }
        Integer frames = JsonFields.optionalInt(body, "frames", OvisLimits.MIN_FRAMES, OvisLimits.MAX_FRAMES);
        Integer segment = JsonFields.optionalInt(body, "segment_size", 1, Integer.MAX_VALUE);
        return sources.resolve(tenant, body.get("video").asString(), "video")
                .map(ref -> task(ref, question == null || question.isNull() ? "" : question.asString(), frames, segment));
    }

    private static KeyframeTask task(MediaRef video, String question, Integer frames, Integer segmentSize) {
        if (!video.contentType().startsWith("video/") && !video.contentType().equals("image/gif")) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "key frames come from videos (or animated GIFs); the media is "
                    + video.contentType());
        }
        checkFrames(frames);
        if (segmentSize != null && segmentSize < 1) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "'segment_size' must be at least 1, was " + segmentSize);
        }
        return new KeyframeTask(video, question, frames, segmentSize);
    }

    /**
     * The form's {@code frames} against the bounds the JSON body is read with ({@link JsonFields#optionalInt}),
     * with the same message; checked after the media type, as before.
     */
    private static void checkFrames(Integer frames) {
        if (frames != null && (frames < OvisLimits.MIN_FRAMES || frames > OvisLimits.MAX_FRAMES)) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "'frames' must be between " + OvisLimits.MIN_FRAMES + " and "
                    + OvisLimits.MAX_FRAMES + ", was " + frames);
        }
    }

    private static Integer integer(String value, String name) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "'" + name + "' must be an integer, was '" + value + "'");
        }
    }

    private static Map<String, Object> view(Job job) {
        KeyframeResult result = job.result().keyframes();
        List<Map<String, Object>> frames = new java.util.ArrayList<>();
        for (int i = 0; i < result.frames().size(); i++) {
            var frame = result.frames().get(i);
            frames.add(Map.of("index", frame.index(), "timestamp", frame.timestamp(),
                    "thumbnail", "/v1/video/keyframes/" + job.id() + "/frames/" + i));
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("job_id", job.id());
        view.put("embedder", result.embedder());
        view.put("candidates", result.candidates());
        view.put("duration", result.duration());
        view.put("frames", frames);
        return view;
    }
}
