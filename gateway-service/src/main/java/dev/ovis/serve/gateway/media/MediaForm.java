package dev.ovis.serve.gateway.media;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.gateway.StorableText;
import dev.ovis.serve.gateway.problem.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
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
    private static final int MAX_FORM_TEXT_BYTES = 2 * 1024 * 1024;

    /** What the form held. */
    public record Submitted(MediaRef file, Map<String, String> fields) {
    }

    private final MediaService media;
    private final PartEventHttpMessageReader reader = new PartEventHttpMessageReader();

    public MediaForm(MediaService media) {
        this.media = media;
    }

    /**
     * Stores the file part for {@code tenant} and collects the text fields; 400 without a file part.
     * A refused field (too many, too large, unstorable text) is answered only after the whole form
     * was read — answering while the client still sends makes the server close the connection under
     * it, and the client sees a reset instead of the 400 — unless the text fields together pass
     * {@value #MAX_FORM_TEXT_BYTES} bytes, which ends the request at once.
     */
    public Mono<Submitted> read(String tenant, ServerHttpRequest request) {
        Map<String, String> fields = new LinkedHashMap<>();
        AtomicReference<MediaRef> file = new AtomicReference<>();
        AtomicReference<ApiException> refusal = new AtomicReference<>();
        AtomicLong textBytes = new AtomicLong();
        Flux<PartEvent> events = reader.read(ResolvableType.forClass(PartEvent.class), request, Map.of());
        return events.windowUntil(PartEvent::isLast).concatMap(part -> part.switchOnFirst((first, all) -> {
            if (!first.hasValue()) {
                return all.then();
            }
            PartEvent head = first.get();
            if (FILE_PART.equals(head.name()) && head instanceof FilePartEvent) {
                if (file.get() != null || refusal.get() != null) {
                    refusal.compareAndSet(null, new ApiException(ErrorCode.INVALID_REQUEST, "only one part named 'file' is accepted"));
                    return all.doOnNext(event -> DataBufferUtils.release(event.content())).then();
                }
                return media.store(tenant, all.map(PartEvent::content)).doOnNext(r -> file.set(r.ref())).then();
            }
            Flux<DataBuffer> content = all.map(PartEvent::content).doOnNext(buffer -> {
                if (textBytes.addAndGet(buffer.readableByteCount()) > MAX_FORM_TEXT_BYTES) {
                    DataBufferUtils.release(buffer);
                    throw new ApiException(ErrorCode.MEDIA_TOO_LARGE, "the form's text fields are larger than "
                            + MAX_FORM_TEXT_BYTES + " bytes together");
                }
            });
            return DataBufferUtils.join(content).doOnNext(buffer -> {
                try {
                    ApiException refused = field(head.name(), buffer, fields);
                    if (refused != null) {
                        refusal.compareAndSet(null, refused);
                    }
                } finally {
                    DataBufferUtils.release(buffer);
                }
            }).then();
        })).then(Mono.fromCallable(() -> {
            if (refusal.get() != null) {
                throw refusal.get();
            }
            if (file.get() == null) {
                throw new ApiException(ErrorCode.INVALID_REQUEST, "the multipart request has no file part named 'file'");
            }
            return new Submitted(file.get(), Map.copyOf(fields));
        }));
    }

    /** Adds one text field, or says why it is refused. */
    private static ApiException field(String name, DataBuffer buffer, Map<String, String> fields) {
        if (buffer.readableByteCount() > MAX_FIELD_BYTES) {
            return new ApiException(ErrorCode.MEDIA_TOO_LARGE, "form field '" + name + "' is larger than " + MAX_FIELD_BYTES + " bytes");
        }
        if (fields.size() >= MAX_FIELDS) {
            return new ApiException(ErrorCode.INVALID_REQUEST, "too many form fields (at most " + MAX_FIELDS + ")");
        }
        if (name == null || name.isEmpty()) {
            return new ApiException(ErrorCode.INVALID_REQUEST, "a form field has no name");
        }
        String value = buffer.toString(StandardCharsets.UTF_8);
        try {
            StorableText.requireStorable(name, "form field name");
            StorableText.requireStorable(value, name);
        } catch (ApiException unstorable) {
            return unstorable;
        }
        fields.put(name, value);
        return null;
    }
}
