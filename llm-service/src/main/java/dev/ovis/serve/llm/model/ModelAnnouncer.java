package dev.ovis.serve.llm.model;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.model.ModelInfo;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * Announces the loaded model on {@link Topics#MODELS} (compacted, keyed by model id) once the
 * service is ready and then every {@code ovis.llm.announce-interval}, so gateways list it for
 * {@code GET /v1/models} and forget it when this instance is gone.
 */
final class ModelAnnouncer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelAnnouncer.class);

    private final LlmModel model;
    private final EnvelopePublisher publisher;
    private final Duration interval;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("llm-model-announcer").daemon().factory());

    ModelAnnouncer(LlmModel model, EnvelopePublisher publisher, Duration interval) {
        this.model = model;
        this.publisher = publisher;
        this.interval = interval;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        timer.scheduleAtFixedRate(this::announce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The announcement as it is sent now. */
    ModelInfo info() {
        return new ModelInfo(model.id(), model.family(), model.contextLength(), model.capabilities(), model.randomWeights(),
                Instant.now());
    }

    private void announce() {
        ModelInfo info = info();
        publisher.publishAsync(Topics.MODELS, Envelope.of(EventTypes.MODEL_ANNOUNCED, "llm-service", info.id(), info))
                .exceptionally(e -> {
                    log.warn("could not announce model {}: {}", info.id(), e.getMessage());
                    return null;
                });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
