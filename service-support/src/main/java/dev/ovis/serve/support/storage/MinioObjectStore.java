package dev.ovis.serve.support.storage;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.media.MediaRef;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ObjectStore} on the MinIO Java client (any S3-compatible server). Uploads stream through a
 * {@link DigestInputStream}, so the sha256 comes for free and memory stays at one multipart part.
 * Owns the client's OkHttp resources: {@link #close()} releases them (an embedded S3 server
 * cannot stop while idle connections stay open).
 */
public final class MinioObjectStore implements ObjectStore, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MinioObjectStore.class);
    /** Part size for uploads of unknown length: the most the client buffers at once. */
    private static final long UNKNOWN_SIZE_PART = 8L * 1024 * 1024;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(5);
    private static final Set<String> MISSING_CODES = Set.of("NoSuchKey", "NoSuchObject", "NotFound", "NoSuchBucket");

    private final MinioClient client;
    private final String bucket;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MinioObjectStore(MinioClient client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    /**
     * Connects to the store and makes sure the bucket exists, retrying while the store comes up
     * (until {@link StorageProperties#startupTimeout()}).
     *
     * @throws ObjectStoreException with {@code UNAVAILABLE} when the store is not reachable in time
     */
    public static MinioObjectStore connect(StorageProperties properties) {
        MinioClient client = MinioClient.builder()
                .endpoint(properties.endpoint())
                .region(properties.region())
                .credentials(properties.accessKey(), properties.secretKey())
                .build();
        // fail fast on an unreachable host; reads and writes keep the client's generous defaults
        client.setTimeout(CONNECT_TIMEOUT.toMillis(), TRANSFER_TIMEOUT.toMillis(), TRANSFER_TIMEOUT.toMillis());
        MinioObjectStore store = new MinioObjectStore(client, properties.bucket());
        try {
            store.ensureBucket(properties.startupTimeout());
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private void ensureBucket(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        long pauseMillis = 100;
        while (true) {
            try {
                if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                    log.info("Created bucket {}", bucket);
                }
                return;
            } catch (ErrorResponseException e) {
                if ("BucketAlreadyOwnedByYou".equals(e.errorResponse().code())
                        || "BucketAlreadyExists".equals(e.errorResponse().code())) {
                    return; // another service created it at the same moment
                }
                throw new ObjectStoreException(ErrorCode.UNAVAILABLE,
                        "cannot create bucket " + bucket + ": " + e.errorResponse().code() + " " + e.getMessage(), e);
            } catch (MinioException | IllegalStateException e) {
                // minio 9 reports a refused connection as IllegalStateException(ConnectException)
                if (Instant.now().isAfter(deadline)) {
                    throw new ObjectStoreException(ErrorCode.UNAVAILABLE,
                            "object store not reachable within " + timeout + ": " + e.getMessage(), e);
                }
                log.debug("Object store not ready yet ({}), retrying", e.getMessage());
                pause(pauseMillis);
                pauseMillis = Math.min(pauseMillis * 2, 2_000);
            }
        }
    }

    @Override
    public MediaRef put(String key, InputStream content, long size, String contentType) {
        requireOpen();
        MessageDigest sha256 = newSha256();
        CountingInputStream counting = new CountingInputStream(new DigestInputStream(content, sha256));
        try {
            PutObjectArgs.Builder args = PutObjectArgs.builder().bucket(bucket).object(key).contentType(contentType);
            if (size >= 0) {
                args.stream(counting, size, null);
            } else {
                args.stream(counting, null, UNKNOWN_SIZE_PART);
            }
            client.putObject(args.build());
        } catch (IllegalStateException e) {
            throw unreachable("cannot write " + key, e);
        } catch (MinioException e) {
            if (size >= 0 && counting.count() < size && String.valueOf(e.getMessage()).contains("EOF")) {
                throw new ObjectStoreException(ErrorCode.INVALID_REQUEST, "cannot write " + key
                        + ": the content ended after " + counting.count() + " of its declared " + size + " bytes", e);
            }
            throw failure("cannot write " + key, e);
        }
        return new MediaRef(bucket, key, contentType, HexFormat.of().formatHex(sha256.digest()), counting.count());
    }

    @Override
    public MediaRef putBytes(String key, byte[] bytes, String contentType) {
        return put(key, new ByteArrayInputStream(bytes), bytes.length, contentType);
    }

    @Override
    public InputStream open(MediaRef ref) {
        requireOpen();
        try {
            return client.getObject(GetObjectArgs.builder().bucket(ref.bucket()).object(ref.key()).build());
        } catch (IllegalStateException e) {
            throw unreachable("cannot read " + ref.key(), e);
        } catch (MinioException e) {
            throw failure("cannot read " + ref.key(), e);
        }
    }

    @Override
    public byte[] readAll(MediaRef ref, long maxBytes) {
        if (ref.size() > maxBytes) {
            throw tooLarge(ref, ref.size(), maxBytes);
        }
        try (InputStream in = open(ref)) {
            // One byte past the limit tells "exactly at the limit" from "too large" without trusting ref.size.
            int cap = (int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8);
            byte[] bytes = in.readNBytes(cap);
            if (bytes.length > maxBytes) {
                throw tooLarge(ref, bytes.length, maxBytes);
            }
            return bytes;
        } catch (IOException e) {
            throw new ObjectStoreException(ErrorCode.UNAVAILABLE, "cannot read " + ref.key() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists(String key) {
        requireOpen();
        try {
            client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (ErrorResponseException e) {
            if (MISSING_CODES.contains(e.errorResponse().code())) {
                return false;
            }
            throw failure("cannot stat " + key, e);
        } catch (IllegalStateException e) {
            throw unreachable("cannot stat " + key, e);
        } catch (MinioException e) {
            throw failure("cannot stat " + key, e);
        }
    }

    @Override
    public void delete(String key) {
        requireOpen();
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
        } catch (ErrorResponseException e) {
            if (!MISSING_CODES.contains(e.errorResponse().code())) {
                throw failure("cannot delete " + key, e);
            }
        } catch (IllegalStateException e) {
            throw unreachable("cannot delete " + key, e);
        } catch (MinioException e) {
            throw failure("cannot delete " + key, e);
        }
    }

    @Override
    public String bucket() {
        return bucket;
    }

    /** Releases the HTTP client's threads and pooled connections. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                client.close();
            } catch (Exception e) {
                log.warn("Closing the object store client failed: {}", e.toString());
            }
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("object store is closed");
        }
    }

    private static ObjectStoreException failure(String what, MinioException e) {
        if (e instanceof ErrorResponseException response) {
            String code = response.errorResponse().code();
            if (MISSING_CODES.contains(code)) {
                return new ObjectStoreException(ErrorCode.NOT_FOUND, what + ": no such object", e);
            }
            return new ObjectStoreException(ErrorCode.UNAVAILABLE, what + ": " + code + " " + e.getMessage(), e);
        }
        return new ObjectStoreException(ErrorCode.UNAVAILABLE, what + ": " + e.getMessage(), e);
    }

    /** minio 9 wraps transport failures (refused connection, reset) in IllegalStateException. */
    private static ObjectStoreException unreachable(String what, IllegalStateException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return new ObjectStoreException(ErrorCode.UNAVAILABLE, what + ": " + cause, e);
    }

    private static ObjectStoreException tooLarge(MediaRef ref, long size, long maxBytes) {
        return new ObjectStoreException(ErrorCode.MEDIA_TOO_LARGE,
                ref.key() + " holds more than the limit of " + maxBytes + " bytes (at least " + size + ")");
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ObjectStoreException(ErrorCode.UNAVAILABLE, "interrupted while waiting for the object store", e);
        }
    }
}
