package dev.ovis.serve.gateway.outbox;

import dev.ovis.serve.gateway.PeriodicTask;
import dev.ovis.serve.support.kafka.PublishException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Publishes outbox rows to Kafka and marks them published. A row for a topic the broker took a
 * record of in the last minute is sent by the thread that committed it ({@link #sendCommitted}): no
 * hand-over to another thread and no read of the row back on a request's path. (For such a topic
 * the producer holds the metadata, so the send only queues the record; for another topic it could
 * block the caller for {@code max.block.ms} while the broker is unreachable, so those rows are left
 * to the relay's thread, {@link #nudge() nudged} after the commit.) A row sent directly was inserted
 * due for the poll only {@code sendTimeout} later, so neither this instance's poll nor another's
 * sends it meanwhile; the broker's answer is settled on the relay's thread (marked published, or
 * counted as a failed attempt). The poll, one batch at a time in one transaction that locks the
 * batch, sends everything else: nudged rows, rows of a crashed or restarted instance, rows whose
 * first send failed. A row is marked published only after the broker acknowledged it. Delivery is at
 * least once (a crash between the ack and the mark republishes); consumers dedupe by envelope id.
 *
 * <p>No row can block the others: a failed row waits out a doubling back-off (rows that are not due
 * are not selected), and after {@code maxAttempts} — or at once when the broker refuses it for good,
 * e.g. a record over {@code max.request.size} — it is given up and its job fails with the reason
 * ({@link UndeliverableMessages}).
 */
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final OutboxStore store;
    private final OutboxSender sender;
    private final TransactionOperations transactions;
    private final OutboxProperties settings;
    private final UndeliverableMessages undeliverable;
    private final AtomicBoolean nudged = new AtomicBoolean();
    private final AtomicBoolean settling = new AtomicBoolean();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();
    private final PeriodicTask task = new PeriodicTask("outbox-relay");
    /** Rows sent by {@link #sendCommitted} that the broker acknowledged, to be marked published. */
    private final Queue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    /** Rows sent by {@link #sendCommitted} that failed, to be counted as an attempt. */
    private final Queue<FailedSend> failedSends = new ConcurrentLinkedQueue<>();

    private record FailedSend(OutboxMessage message, Throwable error) {
    }

    /** How long after the broker's last acknowledgement of a topic a row for it is still sent directly. */
    private static final long WARM_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Per topic, when (nanoTime) the broker last acknowledged a record of it; removed on a failed send. */
    private final Map<String, Long> acknowledgedTopics = new ConcurrentHashMap<>();

    OutboxRelay(OutboxStore store, OutboxSender sender, TransactionOperations transactions,
                OutboxProperties settings, UndeliverableMessages undeliverable, MeterRegistry meters) {
        this.store = store;
        this.sender = sender;
        this.transactions = transactions;
        this.settings = settings;
        this.undeliverable = undeliverable;
        Gauge.builder("ovis.gateway.outbox.pending", pending, AtomicLong::get)
                .description("outbox rows not yet published").register(meters);
        Gauge.builder("ovis.gateway.outbox.lag", lagMillis, value -> value.get() / 1000.0)
                .description("age of the oldest unpublished outbox row").baseUnit("seconds").register(meters);
    }

    /**
     * Whether a row for {@code topic} appended now is sent by its writer ({@link #sendCommitted}),
     * and so must be appended not due before {@link #directSendGrace()}; otherwise the writer
     * {@link #nudge() nudges} the relay.
     */
    boolean sendsDirectly(String topic) {
        Long acknowledgedAt = acknowledgedTopics.get(topic);
        return task.running() && acknowledgedAt != null && System.nanoTime() - acknowledgedAt < WARM_NANOS;
    }

    /** How long a row sent directly waits before the poll may send it. */
    Duration directSendGrace() {
        return settings.sendTimeout();
    }

    /** Asks for a publishing round on the relay's thread now (after a commit that appended rows it is to send). */
    void nudge() {
        if (task.running() && nudged.compareAndSet(false, true)) {
            boolean queued = task.runNow(() -> {
                nudged.set(false);
                drain();
            });
            if (!queued) {
                nudged.set(false); // shutting down: the next start's poll publishes it
            }
        }
    }

    /**
     * Sends a row its transaction has just committed, on the calling thread (the producer only
     * queues it); the outcome is settled on the relay's thread. A send that cannot be settled
     * (the relay stopped) leaves the row to the poll, after the grace.
     */
    void sendCommitted(OutboxMessage message) {
        sendSafely(message).orTimeout(settings.sendTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((sent, error) -> {
                    if (error == null) {
                        acknowledgedTopics.put(message.topic(), System.nanoTime());
                        acknowledged.add(message.id());
                    } else {
                        acknowledgedTopics.remove(message.topic());
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        failedSends.add(new FailedSend(message, cause instanceof TimeoutException
                                ? new TimeoutException("no acknowledgement from the broker in time") : cause));
                    }
                    settleSoon();
                });
    }

    /** Marks the acknowledged direct sends published and counts the failed ones; on the relay's thread. */
    private void settleDirectSends() {
        List<Long> done = new ArrayList<>();
        for (Long id = acknowledged.poll(); id != null; id = acknowledged.poll()) {
            done.add(id);
        }
        try {
            store.markPublished(done);
        } catch (RuntimeException e) {
            acknowledged.addAll(done); // the next round tries again (after the grace the poll would resend them)
            throw e;
        }
        for (FailedSend failed = failedSends.poll(); failed != null; failed = failedSends.poll()) {
            failed(failed.message(), failed.error());
        }
    }

    /** Settles the direct sends on the relay's thread now (only that: the poll keeps its interval). */
    private void settleSoon() {
        if (task.running() && settling.compareAndSet(false, true)) {
            boolean queued = task.runNow(() -> {
                settling.set(false);
                try {
                    settleDirectSends();
                } catch (RuntimeException e) {
                    log.warn("Outbox sends not settled, retrying with the next poll: {}", e.toString());
                }
            });
            if (!queued) {
                settling.set(false); // shutting down: stop() settles what it can
            }
        }
    }

    /** Publishes until no full batch is left; returns how many rows were published. Runs on the relay thread. */
    int drain() {
        int total = 0;
        try {
            settleDirectSends();
            Round round;
            do {
                round = publishBatch();
                total += round.published();
                // go on while batches are full and move; a batch that only failed transiently (broker
                // trouble) waits for the next poll, its rows for their back-off
            } while (round.selected() == settings.batchSize() && round.published() + round.givenUp() > 0);
            OutboxStore.Backlog backlog = store.backlog();
            pending.set(backlog.pending());
            lagMillis.set(backlog.oldest().toMillis());
        } catch (RuntimeException e) {
            log.warn("Outbox relay round failed, retrying in {}: {}", settings.pollInterval(), e.toString());
        }
        return total;
    }

    /** What one batch did: rows selected, rows the broker acknowledged, rows given up. */
    private record Round(int selected, int published, int givenUp) {
    }

    private Round publishBatch() {
        Round round = transactions.execute(status -> {
            List<OutboxMessage> batch = store.lockUnpublished(settings.batchSize());
            List<CompletableFuture<?>> sends = new ArrayList<>(batch.size());
            for (OutboxMessage message : batch) {
                sends.add(sendSafely(message));
            }
            List<Long> done = new ArrayList<>(batch.size());
            long deadline = System.nanoTime() + settings.sendTimeout().toNanos();
            int givenUp = 0;
            for (int i = 0; i < batch.size(); i++) {
                OutboxMessage message = batch.get(i);
                Throwable error = await(sends.get(i), deadline);
                if (error == null) {
                    acknowledgedTopics.put(message.topic(), System.nanoTime());
                    done.add(message.id());
                } else if (!failed(message, error)) {
                    givenUp++;
                }
            }
            store.markPublished(done);
            return new Round(batch.size(), done.size(), givenUp);
        });
        return round == null ? new Round(0, 0, 0) : round;
    }

    /** Records a failed attempt; false when the row was given up. */
    private boolean failed(OutboxMessage message, Throwable error) {
        int attempt = message.attempts() + 1;
        String reason = describe(error);
        boolean tooLarge = causedBy(error, "RecordTooLargeException");
        if (tooLarge || !retriable(error) || attempt >= settings.maxAttempts()) {
            store.giveUp(message.id(), reason);
            log.error("Outbox row {} to {} given up after attempt {}: {}", message.id(), message.topic(), attempt, reason);
            undeliverable.undeliverable(message, tooLarge, "could not be handed to the next stage after " + attempt
                    + (attempt == 1 ? " attempt: " : " attempts: ") + reason);
            return false;
        } else {
            Duration wait = backoff(attempt);
            store.markFailed(message.id(), reason, wait);
            log.warn("Outbox row {} to {} not published (attempt {} of {}), next in {}: {}", message.id(), message.topic(),
                    attempt, settings.maxAttempts(), wait, reason);
            return true;
        }
    }

    /** {@code backoff × 2^(attempt-1)}, at most {@code maxBackoff}. */
    Duration backoff(int attempt) {
        Duration wait = settings.backoff();
        for (int i = 1; i < attempt && wait.compareTo(settings.maxBackoff()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : wait;
    }

    /**
     * As the publisher classifies it (a record over the size limit or an invalid topic is not
     * retriable); a timeout or a broker/producer that is not available is; an argument the sender
     * refuses never will be.
     */
    private static boolean retriable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PublishException publish) {
                return publish.retriable();
            }
        }
        return !(error instanceof IllegalArgumentException);
    }

    private static boolean causedBy(Throwable error, String simpleName) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getClass().getSimpleName().equals(simpleName)) {
                return true;
            }
        }
        return false;
    }

    /** The innermost cause's message: what the broker said, without our wrapping. */
    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private CompletableFuture<?> sendSafely(OutboxMessage message) {
        try {
            return sender.send(message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Throwable await(CompletableFuture<?> send, long deadline) {
        try {
            send.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (TimeoutException e) {
            send.cancel(false);
            return new TimeoutException("no acknowledgement from the broker in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TimeoutException("interrupted");
        }
    }

    @Override
    public void start() {
        task.start(this::drain, Duration.ZERO, settings.pollInterval());
    }

    @Override
    public void stop() {
        task.stop(settings.sendTimeout().plus(Duration.ofSeconds(1)));
        try {
            settleDirectSends(); // acknowledged by now: not sent again by the next start's poll
        } catch (RuntimeException e) {
            log.warn("Outbox rows sent at shutdown not marked published (the next poll sends them again): {}", e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return task.running();
    }

    /** Stops after the web server (which stops at a higher phase) and before the Kafka producer closes. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1000;
    }
}
