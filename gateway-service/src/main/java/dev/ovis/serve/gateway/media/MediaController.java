package dev.ovis.serve.gateway.media;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.auth.Tenant;
import dev.ovis.serve.gateway.problem.ApiException;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.http.codec.multipart.PartEventHttpMessageReader;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code /v1/media}: uploads (multipart field {@code file}, or the raw body) and their metadata
 * and bytes, for the owning tenant only.
 */
@RestController
class MediaController {

    /** Room for multipart boundaries and part headers on top of the file itself. */
    private static final long MULTIPART_OVERHEAD = 64 * 1024;
    private static final String FILE_PART = "file";

    private final MediaService media;
    private final PartEventHttpMessageReader partReader = new PartEventHttpMessageReader();

    MediaController(MediaService media) {
        this.media = media;
    }

    /** The answer to an upload and to {@code GET /v1/media/{id}}. */
    record MediaView(String id, String sha256, String contentType, long size, Instant createdAt) {
        static MediaView of(MediaRecord record) {
            return new MediaView(record.id(), record.ref().sha256(), record.ref().contentType(), record.ref().size(),
                    record.createdAt());
        }
    }

    @PostMapping("/v1/media")
    Mono<ResponseEntity<MediaView>> upload(Tenant tenant, ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        boolean multipart = MediaType.MULTIPART_FORM_DATA.isCompatibleWith(request.getHeaders().getContentType());
        long declared = request.getHeaders().getContentLength();
        if (declared > media.maxBytes() + (multipart ? MULTIPART_OVERHEAD : 0)) {
            return Mono.error(UploadSpool.tooLarge(media.maxBytes()));
        }
        AtomicBoolean sawFile = new AtomicBoolean(!multipart);
        Flux<DataBuffer> content = multipart ? filePart(request, sawFile) : request.getBody();
        return media.store(tenant.id(), content)
                .onErrorMap(error -> !sawFile.get() && !(error instanceof ApiException api
                                && api.code() == ErrorCode.MEDIA_TOO_LARGE),
                        error -> new ApiException(ErrorCode.INVALID_REQUEST, "the multipart upload has no part named 'file'"))
                .map(record -> ResponseEntity.created(URI.create("/v1/media/" + record.id())).body(MediaView.of(record)));
    }

    @GetMapping("/v1/media/{id}")
    Mono<MediaView> get(Tenant tenant, @PathVariable String id) {
        return media.find(tenant.id(), id).map(MediaView::of);
    }

    /** Deletes the media (row and object), as OpenAI's {@code DELETE /v1/files/{id}} answers: id and {@code deleted}. */
    @DeleteMapping("/v1/media/{id}")
    Mono<Map<String, Object>> delete(Tenant tenant, @PathVariable String id) {
        return media.delete(tenant.id(), id).map(record -> Map.of("id", record.id(), "object", "media", "deleted", true));
    }

    @GetMapping("/v1/media/{id}/content")
    Mono<ResponseEntity<Flux<DataBuffer>>> content(Tenant tenant, @PathVariable String id, ServerWebExchange exchange) {
        return media.find(tenant.id(), id).map(record -> {
            Flux<DataBuffer> bytes = media.content(record, exchange.getResponse().bufferFactory());
            return ResponseEntity.status(HttpStatus.OK)
                    .contentType(MediaType.parseMediaType(record.ref().contentType()))
                    .contentLength(record.ref().size())
                    .header(HttpHeaders.ETAG, "\"" + record.ref().sha256() + "\"")
                    .body(bytes);
        });
    }

    /** The content of the multipart part named {@code file}, streamed; other parts are drained. */
    private Flux<DataBuffer> filePart(ServerHttpRequest request, AtomicBoolean sawFile) {
        Flux<PartEvent> events = partReader.read(ResolvableType.forClass(PartEvent.class), request, Map.of());
        return events.windowUntil(PartEvent::isLast).concatMap(part -> part.switchOnFirst((first, all) -> {
            if (first.hasValue() && FILE_PART.equals(first.get().name()) && !sawFile.getAndSet(true)) {
                return all.map(PartEvent::content);
            }
            return all.doOnNext(event -> DataBufferUtils.release(event.content())).thenMany(Flux.<DataBuffer>empty());
        }));
    }
}
