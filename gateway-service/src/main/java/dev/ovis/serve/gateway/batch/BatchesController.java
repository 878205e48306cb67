package dev.ovis.serve.gateway.batch;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.JsonBody;
import dev.ovis.serve.gateway.auth.Tenant;
import dev.ovis.serve.gateway.problem.ApiException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The OpenAI Batch API, wire-compatible: {@code POST /v1/batches}, {@code GET /v1/batches/{id}},
 * {@code GET /v1/batches} ({@code after}, {@code limit}, newest first) and
 * {@code POST /v1/batches/{id}/cancel}. See docs/batch.md.
 */
@RestController
class BatchesController {

    private static final long MAX_BODY_BYTES = 64 * 1024;
    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;

    private final BatchService batches;
    private final JsonBody json;

    BatchesController(BatchService batches, JsonBody json) {
        this.batches = batches;
        this.json = json;
    }

    @PostMapping("/v1/batches")
    Mono<Map<String, Object>> create(Tenant tenant, ServerWebExchange exchange) {
        return json.read(exchange.getRequest(), MAX_BODY_BYTES)
                .flatMap(body -> batches.create(tenant.id(), body)).map(Batch::view);
    }

    @GetMapping("/v1/batches/{id}")
    Mono<Map<String, Object>> get(Tenant tenant, @PathVariable String id) {
        return batches.find(tenant.id(), id).map(Batch::view);
    }

    @GetMapping("/v1/batches")
    Mono<Map<String, Object>> list(Tenant tenant, @RequestParam(required = false) String after,
                                   @RequestParam(required = false) Integer limit) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "'limit' must be between 1 and " + MAX_LIMIT));
        }
        return batches.page(tenant.id(), after, size).map(rows -> {
            List<Map<String, Object>> data = rows.stream().limit(size).map(Batch::view).toList();
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("object", "list");
            view.put("data", data);
            view.put("first_id", data.isEmpty() ? null : data.getFirst().get("id"));
            view.put("last_id", data.isEmpty() ? null : data.getLast().get("id"));
            view.put("has_more", rows.size() > size);
            return view;
        });
    }

    @PostMapping("/v1/batches/{id}/cancel")
    Mono<Map<String, Object>> cancel(Tenant tenant, @PathVariable String id) {
        return batches.cancel(tenant.id(), id).map(Batch::view);
    }
}
