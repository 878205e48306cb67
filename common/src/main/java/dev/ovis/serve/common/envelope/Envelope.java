package dev.ovis.serve.common.envelope;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The message wrapper on every topic, shaped after CloudEvents.
 *
 * <p>{@code id} is the message id and the idempotency key: a consumer that sees an id twice
 * (redelivery) must apply it once. It is kept apart from the caller's ids; {@code subject} is the
 * job id the message belongs to. Each topic carries one payload type (see {@link
 * dev.ovis.serve.common.Topics}), so {@code data} needs no type discriminator; {@code type} names
 * the event for logs and routing (see {@link EventTypes}).
 *
 * @param id      message id, unique per logical message; a deliberate retry of the same message keeps it
 * @param type    event type, e.g. {@code ovis.job.succeeded}
 * @param source  the service that wrote the message, e.g. {@code vision-service}
 * @param subject the job id
 * @param time    when the message was created
 * @param data    the payload record
 * @param <T>     payload type
 */
public record Envelope<T>(String id, String type, String source, String subject, Instant time, T data) {

    public Envelope {
        requireText(id, "id");
        requireText(type, "type");
        requireText(source, "source");
        requireText(subject, "subject");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
    }

    /** A new envelope with a random id, stamped now. */
    public static <T> Envelope<T> of(String type, String source, String subject, T data) {
        return new Envelope<>(UUID.randomUUID().toString(), type, source, subject, Instant.now(), data);
    }

    /** A new envelope with a caller-chosen deterministic id (so retries of the same logical message dedupe). */
    public static <T> Envelope<T> withId(String id, String type, String source, String subject, T data) {
        return new Envelope<>(id, type, source, subject, Instant.now(), data);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("envelope " + name + " must not be blank");
        }
    }
}
