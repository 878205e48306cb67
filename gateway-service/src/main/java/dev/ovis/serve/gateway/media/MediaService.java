package dev.ovis.serve.gateway.media;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.gateway.BlockingSchedulers;
import dev.ovis.serve.gateway.problem.ApiException;
import dev.ovis.serve.support.media.MediaFormat;
import dev.ovis.serve.support.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Stores media for a tenant: spools the stream to disk while hashing it, sniffs the type from the
 * first bytes, puts it in the object store under {@code <tenant>/media/<sha256>} (once per
 * content) and records it. Also resolves media ids to {@link MediaRef}s for job payloads — the
 * entry point for every feature that brings media in (uploads, later data URIs and URLs).
 */
@Service
public class MediaService {

    private static final Logger log = LoggerFactory.getLogger(MediaService.class);

    private final ObjectStore store;
    private final MediaRepository repository;
    private final BlockingSchedulers schedulers;
    private final long maxBytes;
    private final Path tempDir;

    public MediaService(ObjectStore store, MediaRepository repository, BlockingSchedulers schedulers,
                        MediaProperties properties) {
        this.store = store;
        this.repository = repository;
        this.schedulers = schedulers;
        this.maxBytes = properties.maxBytes().toBytes();
        this.tempDir = Path.of(properties.tempDir() != null
                ? properties.tempDir() : System.getProperty("java.io.tmpdir"));
    }

    /** The configured upload limit in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Stores {@code content} for {@code tenant}. Errors: 413 past the limit, 415 for an unsupported
     * type, 400 for an empty body.
     */
    public Mono<MediaRecord> store(String tenant, Flux<DataBuffer> content) {
        return Mono.usingWhen(
                Mono.fromCallable(() -> Files.createTempFile(tempDir, "ovis-upload-", ".part"))
                        .subscribeOn(schedulers.storage()),
                file -> UploadSpool.spool(content, file, maxBytes).flatMap(spooled -> persist(tenant, spooled)),
                this::delete, (file, error) -> delete(file), this::delete);
    }

    /** The media {@code id} of {@code tenant}; 404 when it does not exist or belongs to another tenant. */
    public Mono<MediaRecord> find(String tenant, String id) {
        return Mono.fromCallable(() -> repository.find(tenant, id).orElseThrow(() -> ApiException.notFound("media", id)))
                .subscribeOn(schedulers.db());
    }

    /** The reference of media {@code id} for a job payload, marked used (retention); 404 like {@link #find}. */
    public Mono<MediaRef> resolve(String tenant, String id) {
        return Mono.fromCallable(() -> repository.findForUse(tenant, id).orElseThrow(() -> ApiException.notFound("media", id)))
                .subscribeOn(schedulers.db())
                .map(MediaRecord::ref);
    }

    /**
     * Deletes media {@code id} of {@code tenant}: its row, then its object. A job already holding its
     * reference fails with the stage's "not found" when it gets to it. 404 when there is none.
     */
    public Mono<MediaRecord> delete(String tenant, String id) {
        return Mono.fromCallable(() -> repository.delete(tenant, id).orElseThrow(() -> ApiException.notFound("media", id)))
                .subscribeOn(schedulers.db())
                .publishOn(schedulers.storage())
                .doOnNext(record -> store.delete(record.ref().key()));
    }

    /** Deletes media unused since {@code cutoff}, rows and objects, at most {@code limit} a call; returns how many. */
    public int deleteUnusedSince(Instant cutoff, int limit) {
        List<MediaRecord> deleted = repository.deleteUnusedSince(cutoff, limit);
        for (MediaRecord record : deleted) {
            store.delete(record.ref().key());
        }
        return deleted.size();
    }

    /** The bytes of a media item, streamed from the object store on the storage scheduler. */
    public Flux<DataBuffer> content(MediaRecord media, DataBufferFactory buffers) {
        return DataBufferUtils.readInputStream(() -> store.open(media.ref()), buffers, 64 * 1024)
                .subscribeOn(schedulers.storage());
    }

    private Mono<MediaRecord> persist(String tenant, UploadSpool.Spooled spooled) {
        if (spooled.size() == 0) {
            return Mono.error(new ApiException(ErrorCode.INVALID_REQUEST, "the upload is empty"));
        }
        String contentType = MediaFormat.sniff(spooled.head()).map(MediaFormat::contentType).orElse(null);
        if (contentType == null) {
            return Mono.error(new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "the bytes are not a supported image (JPEG, PNG, GIF, WebP, BMP, TIFF) or video "
                            + "(MP4, QuickTime, WebM, Matroska, AVI)"));
        }
        String key = tenant + "/media/" + spooled.sha256();
        return Mono.fromCallable(() -> upload(key, spooled, contentType)).subscribeOn(schedulers.storage())
                .publishOn(schedulers.db())
                .map(ref -> repository.save(tenant, ref));
    }

    private MediaRef upload(String key, UploadSpool.Spooled spooled, String contentType) throws IOException {
        try (InputStream in = Files.newInputStream(spooled.file())) {
            MediaRef ref = store.put(key, in, spooled.size(), contentType);
            if (!ref.sha256().equals(spooled.sha256())) {
                throw new IllegalStateException("object store hashed " + key + " as " + ref.sha256()
                        + " but the upload hashed " + spooled.sha256());
            }
            return ref;
        }
    }

    private Mono<Void> delete(Path file) {
        return Mono.<Void>fromRunnable(() -> {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("Could not delete spooled upload {}", file, new UncheckedIOException(e));
            }
        }).subscribeOn(schedulers.storage());
    }
}
