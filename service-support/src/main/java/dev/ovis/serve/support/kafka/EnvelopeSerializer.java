package dev.ovis.serve.support.kafka;

import dev.ovis.serve.common.envelope.Envelope;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import tools.jackson.core.JacksonException;

/** Writes any {@link Envelope} as JSON; the payload's own record shape is its wire shape. */
public final class EnvelopeSerializer implements Serializer<Envelope<?>> {

    private final EnvelopeJson json;

    public EnvelopeSerializer(EnvelopeJson json) {
        this.json = json;
    }

    @Override
    public byte[] serialize(String topic, Envelope<?> envelope) {
        if (envelope == null) {
            return null;
        }
        try {
            return json.mapper().writeValueAsBytes(envelope);
        } catch (JacksonException e) {
            throw new SerializationException("cannot write envelope " + envelope.id() + " for " + topic + ": "
                    + e.getOriginalMessage(), e);
        }
    }
}
