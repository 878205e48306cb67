package dev.ovis.serve.gateway.files;

import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.gateway.BlockingSchedulers;
import dev.ovis.serve.gateway.problem.ApiException;
import dev.ovis.serve.support.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The files of the Files API, per tenant: bytes in the object store under
 * {@code <tenant>/files/<id>}, metadata in PostgreSQL. Uploads are spooled to disk (never held in
 * memory); batches read their input and write their output files through here too.
 */
@Service
public class FileService {

    /** Purpose of the files batches write. */
    public static final String BATCH_OUTPUT = "batch_output";
    static final String CONTENT_TYPE = "application/jsonl";

    private static final Logger log = LoggerFactory.getLogger(FileService.class);

    private final ObjectStore store;
    private final FileRepository repository;
    private final BlockingSchedulers schedulers;
    private final FilesProperties properties;
    private final Path tempDir;

    FileService(ObjectStore store, FileRepository repository, BlockingSchedulers schedulers, FilesProperties properties) {
        this.store = store;
        this.repository = repository;
        this.schedulers = schedulers;
        this.properties = properties;
        this.tempDir = Path.of(properties.tempDir() != null ? properties.tempDir() : System.getProperty("java.io.tmpdir"));
    }

    /** The upload limit in bytes. */
    public long maxBytes() {
        return properties.maxBytes().toBytes();
    }

    /** A new temporary file for spooling (the caller deletes it). Blocking. */
    public Path tempFile() throws IOException {
        return Files.createTempFile(tempDir, "ovis-file-", ".part");
    }

    /**
     * Stores a spooled upload as a new file of {@code tenant}, on the storage scheduler, expiring
     * {@code expiresAfter} after its creation ({@code null}: a batch input gets
     * {@code files.batch-expires-after}, as OpenAI's default).
     */
    Mono<FileRecord> upload(String tenant, String purpose, String filename, Path spooled, Duration expiresAfter) {
        Duration expiry = expiresAfter != null ? expiresAfter
                : "batch".equals(purpose) && properties.batchExpiresAfter().isPositive() ? properties.batchExpiresAfter() : null;
        return Mono.fromCallable(() -> store(tenant, newId(), purpose, filename, spooled, expiry)).subscribeOn(schedulers.storage());
    }

    /** {@link #store(String, String, String, String, Path, Duration)} of a file kept until deleted. */
    public FileRecord store(String tenant, String id, String purpose, String filename, Path file) throws IOException {
        return store(tenant, id, purpose, filename, file, null);
    }

    /**
     * Stores the bytes of {@code file} as file {@code id} of {@code tenant}: object first, then the
     * row, so a row always has its bytes; storing the same id again (a retry) keeps the first row.
     * The file expires {@code expiresAfter} after its creation ({@code null}: never). Blocking.
     */
    public FileRecord store(String tenant, String id, String purpose, String filename, Path file, Duration expiresAfter)
            throws IOException {
        String key = tenant + "/files/" + id;
        MediaRef ref;
        try (InputStream in = Files.newInputStream(file)) {
            ref = store.put(key, in, Files.size(file), CONTENT_TYPE);
        }
        Instant created = Instant.now().truncatedTo(ChronoUnit.MICROS);
        FileRecord record = new FileRecord(id, tenant, purpose, filename, ref.size(), key, ref.sha256(), created,
                expiresAfter == null ? null : created.plus(expiresAfter));
        repository.insert(record);
        return repository.find(tenant, id).orElse(record);
    }

    /** A new file id, {@code file-} and 24 hex digits like OpenAI's. */
    public static String newId() {
        return "file-" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    /** The file {@code id} of {@code tenant}; 404 when missing or another tenant's. */
    public Mono<FileRecord> find(String tenant, String id) {
        return Mono.fromCallable(() -> findNow(tenant, id).orElseThrow(() -> ApiException.notFound("file", id)))
                .subscribeOn(schedulers.db());
    }

    /** {@link #find}, blocking. */
    public Optional<FileRecord> findNow(String tenant, String id) {
        return repository.find(tenant, id);
    }

    /** Up to {@code limit + 1} files (the extra one says there are more). */
    Mono<List<FileRecord>> page(String tenant, String purpose, String after, boolean newestFirst, int limit) {
        return Mono.fromCallable(() -> {
            FileRecord cursor = null;
            if (after != null && !after.isBlank()) {
                cursor = repository.find(tenant, after).orElseThrow(() -> ApiException.notFound("file", after));
            }
            return repository.page(tenant, purpose, cursor, newestFirst, limit + 1);
        }).subscribeOn(schedulers.db());
    }

    /** Deletes the row, then the bytes; 404 when missing. */
    Mono<FileRecord> delete(String tenant, String id) {
        return find(tenant, id).publishOn(schedulers.db()).map(file -> {
            if (!repository.delete(tenant, id)) {
                throw ApiException.notFound("file", id);
            }
            return file;
        }).publishOn(schedulers.storage()).doOnNext(file -> store.delete(file.objectKey()));
    }

    /** Opens the bytes for reading; the caller closes the stream. Blocking. */
    public InputStream open(FileRecord file) {
        return store.open(new MediaRef(store.bucket(), file.objectKey(), CONTENT_TYPE, file.sha256(), file.bytes()));
    }

    /** The bytes, streamed from the object store on the storage scheduler. */
    Flux<DataBuffer> content(FileRecord file, DataBufferFactory buffers) {
        return DataBufferUtils.readInputStream(() -> open(file), buffers, 64 * 1024).subscribeOn(schedulers.storage());
    }

    /** Deletes a spool file, logging (not failing) when it cannot. */
    void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Could not delete spooled file {}", file, new UncheckedIOException(e));
        }
    }
}
