package dev.ovis.serve.support.storage;

import dev.ovis.serve.common.media.MediaRef;
import java.io.InputStream;

/**
 * The S3-compatible store that holds every blob of the suite (uploaded media, key frames, visual
 * embeddings); Kafka only carries the {@link MediaRef}s it returns (claim check). All objects live
 * in one bucket ({@code ovis.storage.bucket}); keys are chosen by the caller.
 *
 * <p>Failures surface as {@link ObjectStoreException} carrying the {@link
 * dev.ovis.serve.common.error.ErrorCode} a caller should report: {@code NOT_FOUND} for a missing
 * object, {@code MEDIA_TOO_LARGE} when {@link #readAll} refuses, {@code UNAVAILABLE} (transient)
 * when the store cannot be reached.
 */
public interface ObjectStore {

    /**
     * Streams {@code content} to {@code key} without holding it all in memory (the client buffers at
     * most one multipart part) and computes its sha256 on the way. Size limits are the caller's job.
     *
     * @param size        the exact length, or {@code -1} when unknown
     * @param contentType the content type to record
     * @return where the object is, with its sha256 and actual size
     */
    MediaRef put(String key, InputStream content, long size, String contentType);

    /** {@link #put} for content already in memory. */
    MediaRef putBytes(String key, byte[] bytes, String contentType);

    /** Opens the object for reading; the caller closes the stream. */
    InputStream open(MediaRef ref);

    /**
     * Reads the whole object.
     *
     * @throws ObjectStoreException with {@code MEDIA_TOO_LARGE} when the object is larger than {@code maxBytes}
     */
    byte[] readAll(MediaRef ref, long maxBytes);

    /** Whether an object exists under {@code key} in the store's bucket. */
    boolean exists(String key);

    /** Deletes the object under {@code key}; deleting a missing object is not an error. */
    void delete(String key);

    /** The bucket every key lives in. */
    String bucket();
}
