package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The position after the last job of a page ({@code created_at}, {@code id}), opaque to clients
 * as a URL-safe token. Keyset paging stays correct while new jobs arrive, unlike offsets.
 */
record PageCursor(Instant createdAt, String id) {

    static PageCursor of(Job job) {
        return new PageCursor(job.createdAt(), job.id());
    }

    String encode() {
        String raw = createdAt.getEpochSecond() + ":" + createdAt.getNano() + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a token from {@link #encode}; 400 for anything else. */
    static PageCursor decode(String token) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] parts = raw.split(":", 3);
            return new PageCursor(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])), parts[2]);
        } catch (RuntimeException e) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "cursor '" + token + "' is not a cursor this API returned");
        }
    }
}
