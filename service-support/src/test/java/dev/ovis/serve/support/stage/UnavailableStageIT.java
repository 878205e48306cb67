package dev.ovis.serve.support.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import dev.ovis.serve.support.kafka.EnvelopeListenerFactory;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.kafka.KafkaSupportAutoConfiguration;
import dev.ovis.serve.support.storage.StorageAutoConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A stage service without a handler for its stage (its capability is missing) still answers: every
 * job sent to it fails with UNSUPPORTED_JOB instead of waiting forever.
 */
class UnavailableStageIT {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(StorageAutoConfiguration.class, KafkaSupportAutoConfiguration.class,
                    KafkaAutoConfiguration.class, StageRuntimeAutoConfiguration.class))
            .withPropertyValues(properties());

    private static String[] properties() {
        List<String> values = new ArrayList<>(List.of("ovis.stage.name=ocr", "spring.application.name=ocr-it",
                "ovis.storage.enabled=false", "ovis.kafka.request-partitions=2"));
        SharedInfrastructure.get().springProperties().forEach((key, value) -> values.add(key + "=" + value));
        return values.toArray(String[]::new);
    }

    @Test
    void aStageWithoutItsHandlerFailsEveryJobWithUnsupportedJob() {
        runner.run(context -> {
            assertThat(context).getBean(StageHandler.class).isInstanceOf(UnavailableStageHandler.class);
            String job = "job-" + UUID.randomUUID();
            MediaRef image = new MediaRef("ovis-media", "t/x.png", "image/png", "c".repeat(64), 10);
            StageRequest request = new StageRequest(job, "tenant", new Route(List.of(Stage.OCR)), Stage.OCR, null,
                    JobPayload.of(new OcrTask(image, List.of("eng"), null)));

            context.getBean(EnvelopePublisher.class).publish(Topics.OCR_REQUESTS,
                    Envelope.withId(job + ":ocr", EventTypes.STAGE_REQUEST, "it", job, request));

            List<Envelope<JobEvent>> events = new ArrayList<>();
            try (Consumer<String, Envelope<JobEvent>> consumer = context.getBean(EnvelopeListenerFactory.class)
                    .consumerFactory(Topics.JOB_EVENTS, Map.of(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID()))
                    .createConsumer()) {
                consumer.subscribe(List.of(Topics.JOB_EVENTS.name()));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                        if (record.value().subject().equals(job)) {
                            events.add(record.value());
                        }
                    });
                    return events.stream().anyMatch(e -> e.data().status() == JobStatus.FAILED);
                });
            }
            JobEvent failed = events.getLast().data();
            assertThat(events.getLast().id()).isEqualTo(job + ":ocr:failed");
            assertThat(failed.failure().code()).isEqualTo(ErrorCode.UNSUPPORTED_JOB);
            assertThat(failed.failure().detail()).startsWith("the ocr stage is not available in this deployment: ");
        });
    }
}
