package dev.ovis.serve.support.kafka;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.envelope.Envelope;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;

/**
 * Reads the {@code Envelope<T>}s of one {@link Topic}, typed by its payload type. The records' compact constructors
 * validate on the way in, so an envelope that deserializes is a valid one; anything else (not JSON,
 * a missing field, a broken rule, an empty record) throws {@link SerializationException}. Wrap it
 * in an {@code ErrorHandlingDeserializer} so such a record reaches the error handler instead of
 * stopping the consumer (see {@link EnvelopeListenerFactory}).
 *
 * @param <T> the payload type
 */
public final class EnvelopeDeserializer<T> implements Deserializer<Envelope<T>> {

    private final EnvelopeJson json;
    private final JavaType type;
    private final Class<T> payloadType;

    public EnvelopeDeserializer(EnvelopeJson json, Topic<T> topic) {
        this.json = json;
        this.payloadType = topic.payloadType();
        this.type = json.envelopeOf(topic);
    }

    @Override
    public Envelope<T> deserialize(String topic, byte[] data) {
        if (data == null || data.length == 0) {
            throw new SerializationException("record on " + topic + " has no value");
        }
        try {
            return json.mapper().readValue(data, type);
        } catch (JacksonException e) {
            throw new SerializationException("not an Envelope<" + payloadType.getSimpleName() + "> on " + topic
                    + ": " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root instanceof JacksonException jackson ? jackson.getOriginalMessage() : root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }
}
