package dev.ovis.serve.common;

import java.util.Objects;

/**
 * A Kafka topic of the suite that carries {@link dev.ovis.serve.common.envelope.Envelope}s of one
 * payload type: its name and that type, so publishing, consuming and creating a topic all start
 * from the same value and the compiler checks that an envelope fits its topic. The suite's topics
 * are in {@link Topics}; {@link #name()} is the plain name where one is needed (Kafka admin,
 * consumer subscriptions).
 *
 * @param name        the Kafka topic name, versioned ({@code ….v1})
 * @param payloadType the one payload type of every envelope on the topic
 * @param <T>         the payload type
 */
public record Topic<T>(String name, Class<T> payloadType) {

    public Topic {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("not a Kafka topic name: " + name);
        }
        Objects.requireNonNull(payloadType, "payloadType");
    }

    /** The name: a topic reads as its name in log lines, span names and messages. */
    @Override
    public String toString() {
        return name;
    }
}
