package dev.ovis.serve.support.kafka;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.envelope.Envelope;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON form of {@link Envelope}s on Kafka (Jackson 3). One mapper for the whole suite, kept
 * apart from the application's HTTP mapper so a web customisation never changes the wire format:
 * unknown fields are ignored (evolution is additive) and nulls are left out.
 */
public final class EnvelopeJson {

    private final JsonMapper mapper;

    public EnvelopeJson() {
        this.mapper = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .changeDefaultPropertyInclusion(inclusion -> inclusion
                        .withValueInclusion(JsonInclude.Include.NON_NULL)
                        .withContentInclusion(JsonInclude.Include.NON_NULL))
                .build();
    }

    /** The mapper (also handy for tests that write raw records). */
    public JsonMapper mapper() {
        return mapper;
    }

    /** The type {@code Envelope<payloadType>}. */
    public JavaType envelopeOf(Class<?> payloadType) {
        return mapper.getTypeFactory().constructParametricType(Envelope.class, payloadType);
    }

    /** The type of the envelopes on {@code topic}. */
    public JavaType envelopeOf(Topic<?> topic) {
        return envelopeOf(topic.payloadType());
    }
}
