package dev.ovis.serve.gateway;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A component whose work is a round repeated on a {@link PeriodicTask} of its own, started and stopped
 * with the application context (the purges: job bookkeeping, media, files). A round that fails is
 * logged and tried again at the next interval; the work must be idempotent, as every gateway instance
 * runs it.
 */
public abstract class PeriodicWork implements SmartLifecycle {

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String name;
    private final PeriodicTask task;

    protected PeriodicWork(String name) {
        this.name = name;
        this.task = new PeriodicTask(name);
    }

    /** One round of the work; blocking, on the task's thread. */
    protected abstract void round();

    /** Time between the end of one round and the start of the next. */
    protected abstract Duration interval();

    /** Before the first round: the interval, but at most a minute, so start-up is not slowed by it. */
    protected Duration firstDelay() {
        return interval().compareTo(Duration.ofMinutes(1)) < 0 ? interval() : Duration.ofMinutes(1);
    }

    private void roundQuietly() {
        try {
            round();
        } catch (RuntimeException e) {
            log.warn("{} failed, retrying in {}: {}", name, interval(), e.toString());
        }
    }

    @Override
    public void start() {
        task.start(this::roundQuietly, firstDelay(), interval());
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
