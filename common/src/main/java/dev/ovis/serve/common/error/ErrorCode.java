package dev.ovis.serve.common.error;

import java.util.Locale;

/**
 * Stable error codes of the suite. Each has a problem {@link #type() type URI} (RFC 9457), the
 * HTTP status the gateway answers with, and whether it is transient (worth retrying) or a verdict
 * on the input (never retried: the job fails with the reason).
 */
public enum ErrorCode {
    /** The request is well-formed JSON but breaks a rule (wrong type, missing field, value out of range). */
    INVALID_REQUEST(400, false),
    /** The body is not parseable JSON. */
    MALFORMED_JSON(400, false),
    /** A content part of a chat message is not usable (unknown type, missing source). */
    INVALID_CONTENT_PART(400, false),
    /** The prompt, with its visual positions, does not fit the model's context. */
    CONTEXT_LENGTH_EXCEEDED(400, false),
    /** No or an unknown API key. */
    UNAUTHORIZED(401, false),
    /** The request body came too slowly (below the minimum rate, or past the whole-body deadline). */
    REQUEST_TIMEOUT(408, false),
    /** Not found, or owned by another tenant (never 403: existence is not revealed). */
    NOT_FOUND(404, false),
    /** The model named in the request is not loaded. */
    UNKNOWN_MODEL(404, false),
    /** The endpoint exists but not for this HTTP method. */
    METHOD_NOT_ALLOWED(405, false),
    /** No representation the client accepts can be produced. */
    NOT_ACCEPTABLE(406, false),
    /** The job cannot do what was asked in its current state (e.g. cancel a finished job). */
    CONFLICT(409, false),
    /** The same idempotency key was used with a different request body. */
    IDEMPOTENCY_KEY_REUSED(422, false),
    /** The upload or fetched media exceeds the configured size limit. */
    MEDIA_TOO_LARGE(413, false),
    /** An image's declared pixel count exceeds the limit (decompression bomb guard). */
    IMAGE_TOO_LARGE(413, false),
    /** The bytes are not of a supported media type. */
    UNSUPPORTED_MEDIA_TYPE(415, false),
    /** The media claims a supported type but cannot be decoded (corrupt, truncated, empty). */
    CORRUPT_MEDIA(422, false),
    /** A video is beyond a configured limit (duration, resolution, frames, decode time). */
    VIDEO_LIMIT_EXCEEDED(422, false),
    /** A URL may not be fetched (private, loopback, link-local or metadata address; bad scheme). */
    URL_FORBIDDEN(400, false),
    /** A URL could not be fetched (timeout, HTTP error, too many redirects). */
    URL_FETCH_FAILED(422, false),
    /** An OCR language has no installed model or language pack. */
    LANGUAGE_UNAVAILABLE(422, false),
    /** Too many requests; the answer carries Retry-After. */
    RATE_LIMITED(429, true),
    /** The job was cancelled. */
    CANCELLED(499, false),
    /** A stage cannot handle this job (capability not available in this deployment). */
    UNSUPPORTED_JOB(501, false),
    /** A dependency (model, store, broker) is not available right now. */
    UNAVAILABLE(503, true),
    /** A stage ran past its time limit. */
    TIMEOUT(504, true),
    /** A bug: something that should not happen. The detail says what. */
    INTERNAL(500, false);

    private static final String TYPE_PREFIX = "urn:ovis-serve:problem:";

    private final int httpStatus;
    private final boolean transientFailure;

    ErrorCode(int httpStatus, boolean transientFailure) {
        this.httpStatus = httpStatus;
        this.transientFailure = transientFailure;
    }

    /** The HTTP status the gateway answers with. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Whether retrying the same input may succeed. */
    public boolean isTransient() {
        return transientFailure;
    }

    /** The stable slug, e.g. {@code media-too-large}. */
    public String slug() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The RFC 9457 problem type URI, e.g. {@code urn:ovis-serve:problem:media-too-large}. */
    public String type() {
        return TYPE_PREFIX + slug();
    }

    /** A short title for the problem, e.g. "Media too large". */
    public String title() {
        String words = name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
