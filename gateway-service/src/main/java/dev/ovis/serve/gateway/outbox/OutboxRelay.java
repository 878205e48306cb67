package dev.ovis.serve.gateway.outbox;

import dev.ovis.serve.gateway.GatewayProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Publishes outbox rows to Kafka and marks them published: on a fixed poll (which also picks up
 * rows left by a crashed or restarted instance) and at once when {@link #nudge() nudged} after a
 * commit. One thread, one batch at a time, in one transaction that locks the batch, so a row is
 * marked published only after the broker acknowledged it. Delivery is at least once (a crash
 * between the ack and the commit republishes); consumers dedupe by envelope id.
 */
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final OutboxStore store;
    private final OutboxSender sender;
    private final TransactionOperations transactions;
    private final GatewayProperties.Outbox settings;
    private final AtomicBoolean nudged = new AtomicBoolean();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();
    private volatile ScheduledExecutorService executor;

    OutboxRelay(OutboxStore store, OutboxSender sender, TransactionOperations transactions,
                GatewayProperties.Outbox settings, MeterRegistry meters) {
        this.store = store;
        this.sender = sender;
        this.transactions = transactions;
        this.settings = settings;
        Gauge.builder("ovis.gateway.outbox.pending", pending, AtomicLong::get)
                .description("outbox rows not yet published").register(meters);
        Gauge.builder("ovis.gateway.outbox.lag", lagMillis, value -> value.get() / 1000.0)
                .description("age of the oldest unpublished outbox row").baseUnit("seconds").register(meters);
    }

    /** Asks for a publishing round now (called after a transaction that appended rows commits). */
    public void nudge() {
        ScheduledExecutorService current = executor;
        if (current != null && nudged.compareAndSet(false, true)) {
            try {
                current.execute(() -> {
                    nudged.set(false);
                    drain();
                });
            } catch (RuntimeException rejected) {
                nudged.set(false); // shutting down: the next start's poll publishes it
            }
        }
    }

    /** Publishes until no full batch is left; returns how many rows were published. Runs on the relay thread. */
    int drain() {
        int total = 0;
        try {
            int published;
            do {
                published = publishBatch();
                total += published;
            } while (published == settings.batchSize());
            OutboxStore.Backlog backlog = store.backlog();
            pending.set(backlog.pending());
            lagMillis.set(backlog.oldest().toMillis());
        } catch (RuntimeException e) {
            log.warn("Outbox relay round failed, retrying in {}: {}", settings.pollInterval(), e.toString());
        }
        return total;
    }

    private int publishBatch() {
        Integer published = transactions.execute(status -> {
            List<OutboxMessage> batch = store.lockUnpublished(settings.batchSize());
            List<CompletableFuture<?>> sends = new ArrayList<>(batch.size());
            for (OutboxMessage message : batch) {
                sends.add(sendSafely(message));
            }
            List<Long> done = new ArrayList<>(batch.size());
            long deadline = System.nanoTime() + settings.sendTimeout().toNanos();
            for (int i = 0; i < batch.size(); i++) {
                OutboxMessage message = batch.get(i);
                String error = await(sends.get(i), deadline);
                if (error == null) {
                    done.add(message.id());
                } else {
                    store.markFailed(message.id(), error);
                    log.warn("Outbox row {} to {} not published (attempt {}): {}", message.id(), message.topic(),
                            message.attempts() + 1, error);
                }
            }
            store.markPublished(done);
            return done.size();
        });
        return published == null ? 0 : published;
    }

    private CompletableFuture<?> sendSafely(OutboxMessage message) {
        try {
            return sender.send(message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String await(CompletableFuture<?> send, long deadline) {
        try {
            send.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return null;
        } catch (ExecutionException e) {
            return String.valueOf(e.getCause());
        } catch (TimeoutException e) {
            send.cancel(false);
            return "no acknowledgement from the broker in time";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Override
    public void start() {
        ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "outbox-relay");
            thread.setDaemon(true);
            return thread;
        });
        long poll = settings.pollInterval().toMillis();
        started.scheduleWithFixedDelay(this::drain, 0, poll, TimeUnit.MILLISECONDS);
        executor = started;
    }

    @Override
    public void stop() {
        ScheduledExecutorService current = executor;
        executor = null;
        if (current != null) {
            current.shutdown();
            try {
                if (!current.awaitTermination(settings.sendTimeout().plus(Duration.ofSeconds(1)).toMillis(), TimeUnit.MILLISECONDS)) {
                    current.shutdownNow();
                }
            } catch (InterruptedException e) {
                current.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    /** Stops after the web server (which stops at a higher phase) and before the Kafka producer closes. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1000;
    }
}
