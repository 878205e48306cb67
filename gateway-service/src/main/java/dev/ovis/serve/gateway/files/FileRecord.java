package dev.ovis.serve.gateway.files;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A file of the Files API as stored in the {@code files} table; its bytes are in the object store
 * under {@link #objectKey()}.
 *
 * @param id        {@code file-…}
 * @param tenant    owner
 * @param purpose   {@code batch} for uploads, {@code batch_output} for what batches write
 * @param filename  the name the client gave (or the batch chose)
 * @param bytes     size
 * @param objectKey key in the object store's bucket
 * @param sha256    hex digest of the bytes
 * @param createdAt stored at
 * @param expiresAt when the file expires (it is gone for its tenant from then on and purged soon
 *                  after), {@code null} = kept until deleted
 */
public record FileRecord(String id, String tenant, String purpose, String filename, long bytes, String objectKey,
                         String sha256, Instant createdAt, Instant expiresAt) {

    /** The OpenAI {@code file} object. */
    public Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("object", "file");
        view.put("bytes", bytes);
        view.put("created_at", createdAt.getEpochSecond());
        view.put("expires_at", expiresAt == null ? null : expiresAt.getEpochSecond());
        view.put("filename", filename);
        view.put("purpose", purpose);
        view.put("status", "processed");
        view.put("status_details", null);
        return view;
    }
}
