package dev.ovis.serve.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.Stage;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.core.ProducerFactory;

/** The shared producer: what it writes for an envelope, and that bytes written earlier go out untouched. */
class KafkaSupportAutoConfigurationTests {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(KafkaSupportAutoConfiguration.class, KafkaAutoConfiguration.class))
            .withPropertyValues("ovis.kafka.create-topics=false"); // no broker here: nothing to create

    @Test
    void theProducerWritesEnvelopesAsJsonAndSendsSerializedEnvelopesAsStored() {
        context.run(context -> {
            @SuppressWarnings("unchecked")
            Serializer<Object> values = context.getBean(ProducerFactory.class).getValueSerializer();
            Envelope<JobEvent> envelope = Envelope.withId("j:llm:started", EventTypes.JOB_STARTED, "s", "j",
                    JobEvent.started("j", Stage.LLM));
            byte[] json = new EnvelopeSerializer(context.getBean(EnvelopeJson.class)).serialize(Topics.JOB_EVENTS.name(), envelope);
            // bytes a serializer of an older release wrote, in another key order and spacing
            byte[] stored = "{ \"subject\": \"j\", \"id\": \"x\" }".getBytes(StandardCharsets.UTF_8);

            assertThat(values.serialize(Topics.JOB_EVENTS.name(), envelope)).isEqualTo(json);
            assertThat(values.serialize(Topics.JOB_EVENTS.name(), stored)).isSameAs(stored);
        });
    }

    @Test
    void noListenerContainerFactoriesAreRegisteredForTheEnvelopeTopics() {
        // consumers are built from a Topic (EnvelopeListenerFactory.consumerFactory), never from a named factory
        context.run(context -> assertThat(context).doesNotHaveBean("jobEventListenerContainerFactory")
                .doesNotHaveBean("stageRequestListenerContainerFactory").hasSingleBean(EnvelopeListenerFactory.class));
    }
}
