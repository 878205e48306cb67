package dev.ovis.serve.gateway.media;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import dev.ovis.serve.support.media.MediaFormat;
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
 * Streams an upload to a temporary file while hashing it, counting it against the size limit and
 * keeping its first bytes for type sniffing. The heap only ever holds the buffers in flight; the
 * disk holds at most {@code maxBytes} (the stream fails with 413 as soon as it goes past).
 */
final class UploadSpool {

    /** What was spooled: the file, its SHA-256, its size and its first bytes. */
    record Spooled(Path file, String sha256, long size, byte[] head) {
    }

    private final MessageDigest digest;
    private final long maxBytes;
    private final byte[] head = new byte[MediaFormat.HEAD_BYTES];
    private long size;

    private UploadSpool(long maxBytes) {
        this.maxBytes = maxBytes;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Writes {@code body} to {@code file} (which must exist, empty) and describes what was written. */
    static Mono<Spooled> spool(Flux<DataBuffer> body, Path file, long maxBytes) {
        return Mono.defer(() -> {
            UploadSpool spool = new UploadSpool(maxBytes);
            Flux<DataBuffer> counted = body.handle((buffer, sink) -> {
                if (spool.accept(buffer)) {
                    sink.next(buffer);
                } else {
                    DataBufferUtils.release(buffer);
                    sink.error(tooLarge(maxBytes));
                }
            });
            return DataBufferUtils.write(counted, file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)
                    .then(Mono.fromSupplier(() -> spool.result(file)));
        });
    }

    static ApiException tooLarge(long maxBytes) {
        return new ApiException(ErrorCode.MEDIA_TOO_LARGE, "the upload exceeds the limit of " + maxBytes + " bytes");
    }

    private boolean accept(DataBuffer buffer) {
        int readable = buffer.readableByteCount();
        if (size + readable > maxBytes) {
            return false;
        }
        try (DataBuffer.ByteBufferIterator buffers = buffer.readableByteBuffers()) {
            while (buffers.hasNext()) {
                ByteBuffer view = buffers.next();
                if (size < head.length) {
                    int n = Math.min(head.length - (int) size, view.remaining());
                    view.duplicate().get(head, (int) size, n);
                }
                size += view.remaining();
                digest.update(view);
            }
        }
        return true;
    }

    private Spooled result(Path file) {
        int headLength = (int) Math.min(size, head.length);
        byte[] first = new byte[headLength];
        System.arraycopy(head, 0, first, 0, headLength);
        return new Spooled(file, HexFormat.of().formatHex(digest.digest()), size, first);
    }
}
