package dev.ovis.serve.gateway;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One thread running one piece of the gateway's periodic work (the outbox relay, the job reaper,
 * the purges, through {@link PeriodicWork}) at a fixed delay, started and stopped with the application context by its
 * owner's {@code SmartLifecycle}. Rounds never overlap: an extra round asked for with {@link
 * #runNow} waits for the one under way.
 */
public final class PeriodicTask {

    private final String threadName;
    private volatile ScheduledExecutorService executor;

    public PeriodicTask(String threadName) {
        this.threadName = threadName;
    }

    /** Runs {@code round} after {@code initialDelay}, then {@code interval} after each round ends. */
    public synchronized void start(Runnable round, Duration initialDelay, Duration interval) {
        if (executor != null) {
            return;
        }
        ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        started.scheduleWithFixedDelay(round, initialDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        executor = started;
    }

    /**
     * Queues an extra round on the task's thread.
     *
     * @return false when the task is not running (stopped or stopping): the next start's rounds do it
     */
    public boolean runNow(Runnable round) {
        ScheduledExecutorService current = executor;
        if (current == null) {
            return false;
        }
        try {
            current.execute(round);
            return true;
        } catch (RejectedExecutionException shuttingDown) {
            return false;
        }
    }

    /** Stops: the round under way may finish within {@code grace}, then it is interrupted. */
    public void stop(Duration grace) {
        ScheduledExecutorService current;
        synchronized (this) {
            current = executor;
            executor = null;
        }
        if (current == null) {
            return;
        }
        current.shutdown();
        try {
            if (!current.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                current.shutdownNow();
            }
        } catch (InterruptedException e) {
            current.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    public boolean running() {
        return executor != null;
    }
}
