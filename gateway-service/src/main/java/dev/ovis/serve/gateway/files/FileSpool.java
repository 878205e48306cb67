package dev.ovis.serve.gateway.files;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Streams an uploaded file to a temporary file while hashing and counting it: the heap holds only
 * the buffers in flight, and the stream fails with 413 as soon as it passes the limit. (Media
 * uploads have their own spool that also sniffs the type; a JSONL file has no magic bytes.)
 */
final class FileSpool {

    /** What was written. */
    record Spooled(Path file, String sha256, long size) {
    }

    private final MessageDigest digest;
    private long size;

    private FileSpool() {
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Writes {@code body} to {@code file} (which must exist) and describes what was written. */
    static Mono<Spooled> spool(Flux<DataBuffer> body, Path file, long maxBytes) {
        return Mono.defer(() -> {
            FileSpool spool = new FileSpool();
            Flux<DataBuffer> counted = body.handle((buffer, sink) -> {
                if (spool.size + buffer.readableByteCount() > maxBytes) {
                    DataBufferUtils.release(buffer);
                    sink.error(new ApiException(ErrorCode.MEDIA_TOO_LARGE, "the file exceeds the limit of " + maxBytes + " bytes"));
                    return;
                }
                try (DataBuffer.ByteBufferIterator views = buffer.readableByteBuffers()) {
                    while (views.hasNext()) {
                        ByteBuffer view = views.next();
                        spool.size += view.remaining();
                        spool.digest.update(view);
                    }
                }
                sink.next(buffer);
            });
            return DataBufferUtils.write(counted, file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)
                    .then(Mono.fromSupplier(() -> new Spooled(file, HexFormat.of().formatHex(spool.digest.digest()), spool.size)));
        });
    }
}
