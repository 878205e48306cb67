package dev.ovis.serve.testing;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.support.storage.ObjectStoreException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A map-backed {@link ObjectStore} for unit tests and benchmarks (the integration tests use a
 * real S3 server). Counts writes so tests can tell a cache hit from a recomputation.
 */
public final class InMemoryObjectStore implements ObjectStore {

    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final AtomicInteger puts = new AtomicInteger();

    @Override
    public MediaRef put(String key, InputStream content, long size, String contentType) {
        try {
            return putBytes(key, content.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public MediaRef putBytes(String key, byte[] bytes, String contentType) {
        objects.put(key, bytes.clone());
        puts.incrementAndGet();
        return new MediaRef(bucket(), key, contentType, sha256(bytes), bytes.length);
    }

    @Override
    public InputStream open(MediaRef ref) {
        return new ByteArrayInputStream(get(ref.key()));
    }

    @Override
    public byte[] readAll(MediaRef ref, long maxBytes) {
        byte[] bytes = get(ref.key());
        if (bytes.length > maxBytes) {
            throw new ObjectStoreException(ErrorCode.MEDIA_TOO_LARGE, ref.key() + " holds more than " + maxBytes + " bytes");
        }
        return bytes.clone();
    }

    @Override
    public boolean exists(String key) {
        return objects.containsKey(key);
    }

    @Override
    public void delete(String key) {
        objects.remove(key);
    }

    @Override
    public String bucket() {
        return "test-bucket";
    }

    public int puts() {
        return puts.get();
    }

    public int size() {
        return objects.size();
    }

    private byte[] get(String key) {
        byte[] bytes = objects.get(key);
        if (bytes == null) {
            throw new ObjectStoreException(ErrorCode.NOT_FOUND, "no object " + key);
        }
        return bytes;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
