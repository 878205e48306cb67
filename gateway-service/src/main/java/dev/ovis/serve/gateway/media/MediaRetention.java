package dev.ovis.serve.gateway.media;

import dev.ovis.serve.gateway.GatewayProperties;
import dev.ovis.serve.gateway.PeriodicWork;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Deletes media nobody uploaded or named in a request for {@code retention.media} (30 days): row
 * first, then object, in batches of {@code retention.batch-size}, every {@code retention.interval}.
 * Every chat with a data URI or an image URL stores its image, so without this the object store only
 * grows. Deleting is idempotent, so every gateway instance may run it.
 */
@Component
class MediaRetention extends PeriodicWork {

    private static final Logger log = LoggerFactory.getLogger(MediaRetention.class);

    private final MediaService media;
    private final GatewayProperties.Retention settings;

    MediaRetention(MediaService media, GatewayProperties properties) {
        super("media-retention");
        this.media = media;
        this.settings = properties.retention();
    }

    @Override
    protected void round() {
        purge();
    }

    @Override
    protected Duration interval() {
        return settings.interval();
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
}
