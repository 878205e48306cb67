package dev.ovis.serve.gateway.media;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.gateway.fetch.UrlFetcher;
import dev.ovis.serve.gateway.problem.ApiException;
import java.util.Base64;
import java.util.regex.Pattern;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Turns the ways a request can name media — an {@code https} URL, a {@code data:} URI, or the id of
 * an earlier upload — into a {@link MediaRef} in the object store, stored exactly like an upload
 * (hashed, type sniffed from the bytes, size-limited). Used by chat, OCR and key-frame requests.
 */
@Component
public class MediaSourceResolver {

    private static final Pattern URL_SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*", Pattern.DOTALL);

    private final MediaService media;
    private final UrlFetcher fetcher;

    public MediaSourceResolver(MediaService media, UrlFetcher fetcher) {
        this.media = media;
        this.fetcher = fetcher;
    }

    /**
     * The stored media {@code source} names, for {@code tenant}.
     *
     * @param path where the source sits in the request, for error messages
     */
    public Mono<MediaRef> resolve(String tenant, String source, String path) {
        if (source.regionMatches(true, 0, "data:", 0, 5)) {
            return Mono.defer(() -> media.store(tenant, dataUri(source, path))).map(MediaRecord::ref);
        }
        if (URL_SCHEME.matcher(source).matches()) {
            return Mono.defer(() -> media.store(tenant, fetcher.fetch(source, media.maxBytes()))).map(MediaRecord::ref);
        }
        return media.resolve(tenant, source).onErrorMap(ApiException.class, e -> e.code() == ErrorCode.NOT_FOUND
                ? new ApiException(ErrorCode.INVALID_CONTENT_PART, "'" + path + "' names media '" + abbreviate(source)
                        + "', which is neither an https URL, a data: URI nor a media id this tenant uploaded")
                : e);
    }

    /** Decodes a base64 data URI; the declared media type is ignored (the bytes are sniffed). */
    private Flux<DataBuffer> dataUri(String uri, String path) {
        int comma = uri.indexOf(',');
        if (comma < 0) {
            return Flux.error(invalid(path, "is a data: URI without a ',' before its data"));
        }
        String header = uri.substring(5, comma);
        if (!header.toLowerCase(java.util.Locale.ROOT).endsWith(";base64")) {
            return Flux.error(invalid(path, "is a data: URI that is not base64-encoded (expected data:<type>;base64,<data>)"));
        }
        int encodedLength = uri.length() - comma - 1;
        long decodedEstimate = (long) encodedLength / 4 * 3;
        if (decodedEstimate > media.maxBytes()) {
            return Flux.error(new ApiException(ErrorCode.MEDIA_TOO_LARGE, "'" + path + "' decodes to about "
                    + decodedEstimate + " bytes, more than the " + media.maxBytes() + "-byte media limit"));
        }
        // decoded as it is stored, in 64 KiB pieces: neither a copy of the (up to tens of MB) text nor
        // the whole decoded file is ever held
        return DataBufferUtils.readInputStream(() -> Base64.getMimeDecoder().wrap(new CharsInputStream(uri, comma + 1)),
                        DefaultDataBufferFactory.sharedInstance, 64 * 1024)
                .onErrorMap(e -> !(e instanceof ApiException),
                        e -> invalid(path, "is a data: URI whose base64 data is invalid: " + e.getMessage()));
    }

    /** The characters of a string from an offset, as bytes (base64 is ASCII; anything else is refused by the decoder). */
    private static final class CharsInputStream extends java.io.InputStream {
        private final String text;
        private int next;

        CharsInputStream(String text, int from) {
            this.text = text;
            this.next = from;
        }

        @Override
        public int read() {
            if (next >= text.length()) {
                return -1;
            }
            char c = text.charAt(next++);
            return c < 0x80 ? c : '!';
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (next >= text.length()) {
                return -1;
            }
            int count = Math.min(length, text.length() - next);
            for (int i = 0; i < count; i++) {
                char c = text.charAt(next++);
                buffer[offset + i] = (byte) (c < 0x80 ? c : '!');
            }
            return count;
        }
    }

    private static ApiException invalid(String path, String problem) {
        return new ApiException(ErrorCode.INVALID_CONTENT_PART, "'" + path + "' " + problem);
    }

    private static String abbreviate(String source) {
        return source.length() <= 80 ? source : source.substring(0, 77) + "...";
    }
}
