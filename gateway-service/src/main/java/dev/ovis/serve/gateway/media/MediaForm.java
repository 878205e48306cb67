package dev.ovis.serve.gateway.media;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.gateway.StorableText;
import dev.ovis.serve.gateway.problem.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.http.codec.multipart.PartEventHttpMessageReader;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads a {@code multipart/form-data} request that carries one media file (part {@code file},
 * streamed into the object store like an upload, never held in memory) and a few small text
 * fields (e.g. {@code question}, {@code languages}), in any order.
 */
@Component
public class MediaForm {

    private static final String FILE_PART = "file";
    private static final int MAX_FIELDS = 32;
    private static final int MAX_FIELD_BYTES = 64 * 1024;

    /** What the form held. */
    public record Submitted(MediaRef file, Map<String, String> fields) {
    }

    private final MediaService media;
    private final PartEventHttpMessageReader reader = new PartEventHttpMessageReader();

    public MediaForm(MediaService media) {
        this.media = media;
    }

    /** Stores the file part for {@code tenant} and collects the text fields; 400 without a file part. */
    public Mono<Submitted> read(String tenant, ServerHttpRequest request) {
        Map<String, String> fields = new LinkedHashMap<>();
        AtomicReference<MediaRef> file = new AtomicReference<>();
        Flux<PartEvent> events = reader.read(ResolvableType.forClass(PartEvent.class), request, Map.of());
        return events.windowUntil(PartEvent::isLast).concatMap(part -> part.switchOnFirst((first, all) -> {
            if (!first.hasValue()) {
                return all.then();
            }
            PartEvent head = first.get();
            if (FILE_PART.equals(head.name()) && head instanceof FilePartEvent) {
                if (file.get() != null) {
                    return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "only one part named 'file' is accepted"));
                }
                return media.store(tenant, all.map(PartEvent::content)).doOnNext(r -> file.set(r.ref())).then();
            }
            return DataBufferUtils.join(all.map(PartEvent::content), MAX_FIELD_BYTES).doOnNext(buffer -> {
                try {
                    if (fields.size() >= MAX_FIELDS) {
                        throw new ApiException(ErrorCode.INVALID_REQUEST, "too many form fields (at most " + MAX_FIELDS + ")");
                    }
                    String value = buffer.toString(StandardCharsets.UTF_8);
                    if (head.name() == null || head.name().isEmpty()) {
                        throw new ApiException(ErrorCode.INVALID_REQUEST, "a form field has no name");
                    }
                    StorableText.requireStorable(head.name(), "form field name");
                    StorableText.requireStorable(value, head.name());
                    fields.put(head.name(), value);
                } finally {
                    DataBufferUtils.release(buffer);
                }
            }).then();
        })).then(Mono.fromCallable(() -> {
            if (file.get() == null) {
                throw new ApiException(ErrorCode.INVALID_REQUEST, "the multipart request has no file part named 'file'");
            }
            return new Submitted(file.get(), Map.copyOf(fields));
        }));
    }

}
