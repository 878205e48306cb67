package dev.ovis.serve.gateway.files;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.BlockingSchedulers;
import dev.ovis.serve.gateway.auth.Tenant;
import dev.ovis.serve.gateway.problem.ApiException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.http.codec.multipart.PartEventHttpMessageReader;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The OpenAI Files API, wire-compatible, for batch input: {@code POST /v1/files} (multipart
 * {@code file} and {@code purpose=batch}, streamed to disk and then the object store, never held in
 * memory), {@code GET /v1/files} (cursor {@code after}, {@code limit}, {@code order},
 * {@code purpose}), {@code GET /v1/files/{id}}, {@code GET /v1/files/{id}/content} and
 * {@code DELETE /v1/files/{id}}. Every file belongs to the caller's tenant. An upload may name its
 * expiry ({@code expires_after[anchor]=created_at}, {@code expires_after[seconds]}); batch inputs
 * expire after 30 days unless they do, as OpenAI's.
 */
@RestController
class FilesController {

    private static final Set<String> UPLOAD_PURPOSES = Set.of("batch");
    private static final int MAX_FIELD_BYTES = 4 * 1024;
    private static final int DEFAULT_LIMIT = 10_000;

    private final FileService files;
    private final BlockingSchedulers schedulers;
    private final PartEventHttpMessageReader reader = new PartEventHttpMessageReader();

    FilesController(FileService files, BlockingSchedulers schedulers) {
        this.files = files;
        this.schedulers = schedulers;
    }

    @PostMapping("/v1/files")
    Mono<Map<String, Object>> upload(Tenant tenant, ServerWebExchange exchange) {
        if (!MediaType.MULTIPART_FORM_DATA.isCompatibleWith(exchange.getRequest().getHeaders().getContentType())) {
            return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "POST /v1/files takes multipart/form-data with parts 'file' and 'purpose'"));
        }
        return Mono.usingWhen(
                Mono.fromCallable(files::tempFile).subscribeOn(schedulers.storage()),
                spool -> read(exchange, spool).flatMap(form -> {
                    String purpose = form.fields().get("purpose");
                    if (purpose == null || !UPLOAD_PURPOSES.contains(purpose)) {
                        return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST,
                                "'purpose' must be one of " + UPLOAD_PURPOSES + ", was " + (purpose == null ? "missing" : "'" + purpose + "'")));
                    }
                    if (form.size() == 0) {
                        return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "the file is empty"));
                    }
                    Duration expiresAfter = ExpiresAfter.parse("expires_after",
                            form.fields().get("expires_after[anchor]"), form.fields().get("expires_after[seconds]"));
                    return files.upload(tenant.id(), purpose, form.filename(), spool, expiresAfter);
                }).map(FileRecord::view),
                spool -> cleanUp(spool), (spool, error) -> cleanUp(spool), spool -> cleanUp(spool));
    }

    @GetMapping("/v1/files")
    Mono<Map<String, Object>> list(Tenant tenant, @RequestParam(required = false) String purpose,
                                   @RequestParam(required = false) String after,
                                   @RequestParam(required = false) Integer limit,
                                   @RequestParam(required = false) String order) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > DEFAULT_LIMIT) {
            return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "'limit' must be between 1 and " + DEFAULT_LIMIT));
        }
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "'order' must be 'asc' or 'desc'"));
        }
        return files.page(tenant.id(), purpose, after, !"asc".equals(order), size)
                .map(rows -> listView(rows.stream().limit(size).map(FileRecord::view).toList(), rows.size() > size));
    }

    @GetMapping("/v1/files/{id}")
    Mono<Map<String, Object>> get(Tenant tenant, @PathVariable String id) {
        return files.find(tenant.id(), id).map(FileRecord::view);
    }

    @GetMapping("/v1/files/{id}/content")
    Mono<ResponseEntity<Flux<DataBuffer>>> content(Tenant tenant, @PathVariable String id, ServerWebExchange exchange) {
        return files.find(tenant.id(), id).map(file -> ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .contentLength(file.bytes())
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename(file.filename(), StandardCharsets.UTF_8).build().toString())
                .body(files.content(file, exchange.getResponse().bufferFactory())));
    }

    @DeleteMapping("/v1/files/{id}")
    Mono<Map<String, Object>> delete(Tenant tenant, @PathVariable String id) {
        return files.delete(tenant.id(), id).map(file -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", file.id());
            view.put("object", "file");
            view.put("deleted", true);
            return view;
        });
    }

    /** The OpenAI list envelope. */
    static Map<String, Object> listView(List<Map<String, Object>> data, boolean hasMore) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("object", "list");
        view.put("data", data);
        view.put("first_id", data.isEmpty() ? null : data.getFirst().get("id"));
        view.put("last_id", data.isEmpty() ? null : data.getLast().get("id"));
        view.put("has_more", hasMore);
        return view;
    }

    private record Form(String filename, long size, Map<String, String> fields) {
    }

    /** Streams the part {@code file} into {@code spool} and collects the small text fields, in any order. */
    private Mono<Form> read(ServerWebExchange exchange, Path spool) {
        Map<String, String> fields = new LinkedHashMap<>();
        AtomicReference<FileSpool.Spooled> spooled = new AtomicReference<>();
        AtomicReference<String> filename = new AtomicReference<>();
        Flux<PartEvent> events = reader.read(ResolvableType.forClass(PartEvent.class), exchange.getRequest(), Map.of());
        return events.windowUntil(PartEvent::isLast).concatMap(part -> part.switchOnFirst((first, all) -> {
            if (!first.hasValue()) {
                return all.then();
            }
            PartEvent head = first.get();
            if ("file".equals(head.name()) && head instanceof FilePartEvent filePart) {
                if (spooled.get() != null) {
                    return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "only one part named 'file' is accepted"));
                }
                filename.set(filePart.filename());
                return FileSpool.spool(all.map(PartEvent::content), spool, files.maxBytes()).doOnNext(spooled::set).then();
            }
            return DataBufferUtils.join(all.map(PartEvent::content), MAX_FIELD_BYTES).doOnNext(buffer -> {
                try {
                    if (fields.size() >= 16) {
                        throw new ApiException(ErrorCode.INVALID_REQUEST, "too many form fields");
                    }
                    fields.put(head.name(), buffer.toString(StandardCharsets.UTF_8).trim());
                } finally {
                    DataBufferUtils.release(buffer);
                }
            }).then();
        })).then(Mono.fromCallable(() -> {
            if (spooled.get() == null) {
                throw new ApiException(ErrorCode.INVALID_REQUEST, "the multipart request has no file part named 'file'");
            }
            String name = filename.get() == null || filename.get().isBlank() ? "upload.jsonl" : filename.get();
            return new Form(name.length() > 500 ? name.substring(0, 500) : name, spooled.get().size(), Map.copyOf(fields));
        }));
    }

    private Mono<Void> cleanUp(Path spool) {
        return Mono.<Void>fromRunnable(() -> files.deleteQuietly(spool)).subscribeOn(schedulers.storage());
    }
}
