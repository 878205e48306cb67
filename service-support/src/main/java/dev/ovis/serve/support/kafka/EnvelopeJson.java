package dev.ovis.serve.support.kafka;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.job.CancelRequest;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.model.ModelInfo;
import java.util.Optional;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON form of {@link Envelope}s on Kafka (Jackson 3). One mapper for the whole suite, kept
 * apart from the application's HTTP mapper so a web customisation never changes the wire format:
 * unknown fields are ignored (evolution is additive) and nulls are left out.
 */
public final class EnvelopeJson {

    private static final String STREAM_PREFIX = Topics.stream("x").substring(0, Topics.stream("x").length() - 1);

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

    /** The one payload type a topic carries, or empty for a topic that is not the suite's. */
    public static Optional<Class<?>> payloadTypeOf(String topic) {
        if (topic.equals(Topics.JOB_EVENTS)) {
            return Optional.of(JobEvent.class);
        }
        if (topic.equals(Topics.CONTROL)) {
            return Optional.of(CancelRequest.class);
        }
        if (topic.equals(Topics.MODELS)) {
            return Optional.of(ModelInfo.class);
        }
        if (topic.equals(Topics.DEAD_LETTERS)) {
            return Optional.of(dev.ovis.serve.common.job.DeadLetter.class);
        }
        if (topic.startsWith(STREAM_PREFIX)) {
            return Optional.of(StreamChunk.class);
        }
        return stageOfRequestTopic(topic).map(stage -> StageRequest.class);
    }

    /** The stage whose request topic this is, or empty. */
    public static Optional<Stage> stageOfRequestTopic(String topic) {
        for (Stage stage : Stage.values()) {
            if (Topics.requests(stage).equals(topic)) {
                return Optional.of(stage);
            }
        }
        return Optional.empty();
    }
}
