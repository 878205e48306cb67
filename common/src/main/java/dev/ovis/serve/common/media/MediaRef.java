package dev.ovis.serve.common.media;

import java.util.HexFormat;

/**
 * A claim check: where a blob (uploaded media, frames, visual embeddings) lives in the object
 * store. Media and tensors never travel on Kafka, only these references. The sha256 is the
 * content's hash and doubles as a cache key.
 *
 * @param bucket      object-store bucket
 * @param key         object key inside the bucket
 * @param contentType the type sniffed from the bytes (not what a client claimed), e.g. {@code image/png}
 * @param sha256      lowercase hex SHA-256 of the content (64 characters)
 * @param size        size in bytes, {@code >= 0}
 */
public record MediaRef(String bucket, String key, String contentType, String sha256, long size) {

    public MediaRef {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("bucket must not be blank");
        }
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("key must not be blank");
        }
        if (contentType == null || contentType.isBlank()) {
            throw new IllegalArgumentException("contentType must not be blank");
        }
        if (sha256 == null || sha256.length() != 64 || !isLowerHex(sha256)) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex characters: " + sha256);
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0: " + size);
        }
    }

    private static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!HexFormat.isHexDigit(c) || Character.isUpperCase(c)) {
                return false;
            }
        }
        return true;
    }
}
