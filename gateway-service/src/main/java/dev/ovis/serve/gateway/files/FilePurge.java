package dev.ovis.serve.gateway.files;

import dev.ovis.serve.gateway.PeriodicWork;
import dev.ovis.serve.support.storage.ObjectStore;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Removes expired files (their {@code expires_at} passed, by the database clock): the object first,
 * then the row, so a row never outlives its purge half-done for long — a failed round leaves the
 * row, which the next round deletes again (deleting a missing object is fine). Every
 * {@code files.purge-interval}, at most {@code files.purge-batch-size} files a round, on one daemon
 * thread. Any number of gateway instances may purge at once: both deletes are idempotent.
 */
@Component
class FilePurge extends PeriodicWork {

    private static final Logger log = LoggerFactory.getLogger(FilePurge.class);

    private final FileRepository repository;
    private final ObjectStore store;
    private final FilesProperties properties;

    FilePurge(FileRepository repository, ObjectStore store, FilesProperties properties) {
        super("file-purge");
        this.repository = repository;
        this.store = store;
        this.properties = properties;
    }

    @Override
    protected void round() {
        purge();
    }

    @Override
    protected Duration interval() {
        return properties.purgeInterval();
    }

    /** One round; returns the files removed. Blocking. */
    int purge() {
        int removed = 0;
        for (FileRecord file : repository.expired(properties.purgeBatchSize())) {
            store.delete(file.objectKey());
            repository.deleteExpired(file.id());
            removed++;
        }
        if (removed > 0) {
            log.info("Removed {} expired file(s)", removed);
        }
        return removed;
    }
}
