package dev.ovis.serve.gateway.media;

import dev.ovis.serve.common.media.MediaRef;
import java.time.Instant;

/**
 * A row of the {@code media} table: one tenant's upload, stored once per content hash.
 *
 * @param id        the media id clients use in job payloads
 * @param tenant    the owner
 * @param ref       where the bytes are
 * @param createdAt when it was first uploaded
 */
public record MediaRecord(String id, String tenant, MediaRef ref, Instant createdAt) {
}
