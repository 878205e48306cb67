package dev.ovis.serve.gateway.ocr;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.ocr.OcrTask;
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
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/ocr}: the text of an image, with positions. Multipart (part {@code file}; fields
 * {@code languages} comma-separated, {@code engine}, {@code async}) or JSON
 * ({@code {"image": url | data URI | media id, "languages": [...], "engine": ..., "async": false}}).
 * Small images are answered synchronously (200 with the result); large ones, {@code async}
 * requests and requests still running at the sync deadline are answered 202 with the job.
 */
@RestController
class OcrController {

    private final JobService jobs;
    private final JobWaiter waiter;
    private final MediaForm form;
    private final MediaSourceResolver sources;
    private final OcrEndpointProperties properties;
    private final JsonBody json;

    OcrController(JobService jobs, JobWaiter waiter, MediaForm form, MediaSourceResolver sources,
                  OcrEndpointProperties properties, JsonBody json) {
        this.jobs = jobs;
        this.waiter = waiter;
        this.form = form;
        this.sources = sources;
        this.properties = properties;
        this.json = json;
    }

    private record Request(MediaRef image, List<String> languages, String engine, boolean async) {
    }

    @PostMapping("/v1/ocr")
    Mono<ResponseEntity<Object>> ocr(Tenant tenant, ServerWebExchange exchange) {
        boolean multipart = MediaType.MULTIPART_FORM_DATA.isCompatibleWith(exchange.getRequest().getHeaders().getContentType());
        Mono<Request> request = multipart
                ? form.read(tenant.id(), exchange.getRequest()).map(f -> new Request(f.file(),
                        split(f.fields().get("languages")), f.fields().get("engine"), "true".equalsIgnoreCase(f.fields().get("async"))))
                : json.read(exchange.getRequest(), properties.maxRequestBytes().toBytes())
                        .flatMap(body -> fromJson(tenant.id(), body));
        return request.flatMap(r -> {
            if (!r.image().contentType().startsWith("image/")) {
                return Mono.error(new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "OCR reads images; the media is " + r.image().contentType()));
            }
            OcrTask task = new OcrTask(r.image(), r.languages(), r.engine());
            JobPayload payload = JobPayload.of(task);
            return jobs.submit(tenant.id(), payload, RoutePlanner.plan(payload), null, null)
                    .flatMap(submission -> {
                        Job job = submission.job();
                        if (r.async() || r.image().size() > properties.syncMaxBytes().toBytes()) {
                            return Mono.just(accepted(job));
                        }
                        return waiter.succeeded(tenant.id(), job.id(), properties.syncTimeout())
                                .map(done -> ResponseEntity.ok().header("X-Ovis-Job-Id", done.id())
                                        .<Object>body(done.result().ocr()))
                                .switchIfEmpty(Mono.fromSupplier(() -> accepted(job)));
                    });
        });
    }

    private Mono<Request> fromJson(String tenant, JsonNode body) {
        if (!body.isObject() || body.get("image") == null || !body.get("image").isString()) {
            return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST,
                    "'image' must be a string: an https URL, a data: URI or a media id from POST /v1/media"));
        }
        List<String> languages = new ArrayList<>();
        JsonNode list = body.get("languages");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "'languages' must be an array of language codes"));
            }
            for (JsonNode language : list) {
                if (!language.isString()) {
                    return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "'languages' must hold strings"));
                }
                languages.add(language.asString());
            }
        }
        JsonNode engine = body.get("engine");
        if (engine != null && !engine.isNull() && !engine.isString()) {
            return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "'engine' must be a string"));
        }
        boolean async = JsonFields.optionalBoolean(body, "async", false);
        return sources.resolve(tenant, body.get("image").asString(), "image")
                .map(ref -> new Request(ref, languages, engine == null || engine.isNull() ? null : engine.asString(), async));
    }

    private static List<String> split(String languages) {
        if (languages == null || languages.isBlank()) {
            return List.of();
        }
        return Arrays.stream(languages.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static ResponseEntity<Object> accepted(Job job) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/v1/jobs/" + job.id()))
                .body(JobView.of(job));
    }
}
