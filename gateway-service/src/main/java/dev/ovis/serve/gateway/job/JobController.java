package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.gateway.JsonBody;
import dev.ovis.serve.gateway.auth.Tenant;
import dev.ovis.serve.gateway.problem.ApiException;
import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@code /v1/jobs}: create (idempotent), read, list, cancel, and follow a job as server-sent events. */
@RestController
class JobController {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final int MAX_KEY_LENGTH = 200;

    private final JobService jobs;
    private final JobRequestReader reader;
    private final JobsProperties settings;
    private final JsonBody body;
    private final Watchers watchers;

    JobController(JobService jobs, JobRequestReader reader, JobsProperties settings, JsonBody body) {
        this.jobs = jobs;
        this.reader = reader;
        this.settings = settings;
        this.body = body;
        this.watchers = new Watchers(settings.maxWatchersPerTenant(), settings.retryAfter());
    }

    @PostMapping(path = "/v1/jobs", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JobView>> create(Tenant tenant, ServerWebExchange exchange,
                                         @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key) {
        if (key != null && (key.isBlank() || key.length() > MAX_KEY_LENGTH)) {
            return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST,
                    IDEMPOTENCY_KEY + " must be 1 to " + MAX_KEY_LENGTH + " characters"));
        }
        return body.read(exchange.getRequest(), settings.maxRequestBytes().toBytes())
                .flatMap(root -> reader.read(tenant.id(), root))
                .flatMap(resolved -> jobs.submit(tenant.id(), resolved.payload(), resolved.route(), key, null))
                .map(submission -> (submission.created()
                        ? ResponseEntity.created(URI.create("/v1/jobs/" + submission.job().id()))
                        : ResponseEntity.status(HttpStatus.OK)).body(JobView.of(submission.job())));
    }

    @GetMapping(path = "/v1/jobs/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<JobView> get(Tenant tenant, @PathVariable String id) {
        return jobs.find(tenant.id(), id).map(JobView::of);
    }

    @GetMapping(path = "/v1/jobs", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<JobView.Page> list(Tenant tenant, @RequestParam(required = false) String status,
                            @RequestParam(required = false) String limit, @RequestParam(required = false) String cursor) {
        return Mono.defer(() -> jobs.page(tenant.id(), status(status), limit(limit), cursor)).map(JobView::of);
    }

    @PostMapping(path = "/v1/jobs/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<JobView> cancel(Tenant tenant, @PathVariable String id) {
        return jobs.cancel(tenant.id(), id, "cancelled by the client").map(JobView::of);
    }

    /** Events named after the status; the data is the whole job; the stream ends after a terminal state. */
    @GetMapping(path = "/v1/jobs/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<JobView>> events(Tenant tenant, @PathVariable String id) {
        return watchers.limit(tenant.id(), jobs.watch(tenant.id(), id).map(job -> {
            JobView view = JobView.of(job);
            return ServerSentEvent.builder(view).id(Integer.toString(job.version())).event(view.statusName()).build();
        }));
    }

    private static JobStatus status(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return JobStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "unknown status '" + status + "': expected one of "
                    + Arrays.toString(JobStatus.values()));
        }
    }

    private int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return settings.defaultPageSize();
        }
        try {
            int value = Integer.parseInt(limit.trim());
            if (value >= 1 && value <= settings.maxPageSize()) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiException(ErrorCode.INVALID_REQUEST, "limit must be an integer in 1.." + settings.maxPageSize()
                + ", got '" + limit + "'");
    }
}
