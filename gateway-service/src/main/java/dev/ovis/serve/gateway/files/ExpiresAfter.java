package dev.ovis.serve.gateway.files;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.time.Duration;

/**
 * OpenAI's expiration policy of a file, {@code {"anchor": "created_at", "seconds": N}} with N from
 * one hour to 30 days: {@code expires_after} of an upload (multipart fields
 * {@code expires_after[anchor]} and {@code expires_after[seconds]}) and {@code output_expires_after}
 * of a batch. Refusals name the parameter.
 */
public final class ExpiresAfter {

    public static final long MIN_SECONDS = 3600;
    public static final long MAX_SECONDS = 30L * 24 * 3600;

    private ExpiresAfter() {
    }

    /**
     * The expiry after creation, or {@code null} when neither part is given.
     *
     * @param name    the parameter, for messages ({@code expires_after})
     * @param anchor  must be {@code created_at}
     * @param seconds a whole number from {@value #MIN_SECONDS} to {@value #MAX_SECONDS}
     */
    public static Duration parse(String name, String anchor, String seconds) {
        if (anchor == null && seconds == null) {
            return null;
        }
        if (!"created_at".equals(anchor)) {
            throw invalid("'" + name + ".anchor' must be \"created_at\", was " + (anchor == null ? "missing" : "'" + anchor + "'"));
        }
        long value;
        try {
            value = Long.parseLong(seconds == null ? "" : seconds.trim());
        } catch (NumberFormatException e) {
            throw invalid("'" + name + ".seconds' must be a whole number of seconds, was " + (seconds == null ? "missing" : "'" + seconds + "'"));
        }
        if (value < MIN_SECONDS || value > MAX_SECONDS) {
            throw invalid("'" + name + ".seconds' must be between " + MIN_SECONDS + " (1 hour) and " + MAX_SECONDS
                    + " (30 days), was " + value);
        }
        return Duration.ofSeconds(value);
    }

    private static ApiException invalid(String detail) {
        return new ApiException(ErrorCode.INVALID_REQUEST, detail);
    }
}
