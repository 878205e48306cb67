package dev.ovis.serve.gateway.media;

import dev.ovis.serve.gateway.GatewayProperties;
import dev.ovis.serve.gateway.PeriodicTask;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Deletes media nobody uploaded or named in a request for {@code retention.media} (30 days): row
 * first, then object, in batches of {@code retention.batch-size}, every {@code retention.interval}.
 * Every chat with a data URI or an image URL stores its image, so without this the object store only
 * grows. Deleting is idempotent, so every gateway instance may run it.
 */
@Component
class MediaRetention implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MediaRetention.class);

    private final MediaService media;
    private final GatewayProperties.Retention settings;
    private final PeriodicTask task = new PeriodicTask("media-retention");

    MediaRetention(MediaService media, GatewayProperties properties) {
        this.media = media;
        this.settings = properties.retention();
    }

    /** One purge of everything due; returns the media deleted. */
    long purge() {
        Instant cutoff = Instant.now().minus(settings.media());
        long total = 0;
        int deleted;
        do {
            deleted = media.deleteUnusedSince(cutoff, settings.batchSize());
            total += deleted;
        } while (deleted == settings.batchSize());
        if (total > 0) {
            log.info("Retention: deleted {} media unused since {}", total, cutoff);
        }
        return total;
    }

    private void purgeQuietly() {
        try {
            purge();
        } catch (RuntimeException e) {
            log.warn("Media retention failed, retrying in {}: {}", settings.interval(), e.toString());
        }
    }

    @Override
    public void start() {
        // a first purge a minute after start-up, not during it
        Duration first = settings.interval().compareTo(Duration.ofMinutes(1)) < 0 ? settings.interval() : Duration.ofMinutes(1);
        task.start(this::purgeQuietly, first, settings.interval());
    }

    @Override
    public void stop() {
        task.stop(Duration.ZERO);
    }

    @Override
    public boolean isRunning() {
        return task.running();
    }
}
