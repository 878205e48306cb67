package dev.ovis.serve.support.stage;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The one daemon thread that sends the heartbeats of every job this instance works on (see
 * {@code StageProcessor}). A holder rather than a bare {@link ScheduledExecutorService} bean, which
 * Spring's {@code @Scheduled} support would otherwise pick up as its scheduler.
 */
final class StageHeartbeats implements AutoCloseable {

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stage-heartbeats");
        thread.setDaemon(true);
        return thread;
    });

    ScheduledExecutorService executor() {
        return executor;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
