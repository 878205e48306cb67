package dev.ovis.serve.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.support.kafka.PublishException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import org.springframework.transaction.support.TransactionOperations;

/** The relay's bookkeeping: a row is marked published only once the broker acknowledged it. */
class OutboxRelayTests {

    private final InMemoryStore store = new InMemoryStore();
    private final FlakySender sender = new FlakySender();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<String> givenUp = new ArrayList<>();
    private final OutboxRelay relay = new OutboxRelay(store, sender, TransactionOperations.withoutTransaction(),
            new OutboxProperties(Duration.ofSeconds(1), 2, Duration.ofSeconds(1), 3, Duration.ZERO,
                    Duration.ZERO, DataSize.ofKilobytes(960)),
            (message, tooLarge, reason) -> givenUp.add(message.key() + (tooLarge ? " too large: " : ": ") + reason), meters);

    @Test
    void rowsStayUnpublishedWhileTheBrokerFailsAndArePublishedInOrderOnceItIsBack() {
        // given three rows and a broker that refuses
        store.append("t", "job-1", "{\"n\":1}");
        store.append("t", "job-2", "{\"n\":2}");
        store.append("t", "job-3", "{\"n\":3}");
        sender.failing = true;

        // when a round runs
        assertThat(relay.drain()).isZero();

        // then nothing is marked, failures are counted, and the backlog is reported
        assertThat(store.published).isEmpty();
        assertThat(store.attempts).containsEntry(1L, 1).containsEntry(2L, 1);
        assertThat(meters.get("ovis.gateway.outbox.pending").gauge().value()).isEqualTo(3.0);

        // when the broker is back
        sender.failing = false;
        assertThat(relay.drain()).isEqualTo(3);

        // then every row went out once, in order, and is marked
        assertThat(sender.sent).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
        assertThat(store.published).containsExactly(1L, 2L, 3L);
        assertThat(meters.get("ovis.gateway.outbox.pending").gauge().value()).isZero();
        assertThat(relay.drain()).isZero();
        assertThat(sender.sent).hasSize(3);
    }

    @Test
    void aRowSentByItsWriterIsMarkedPublishedAndNotSentAgainByThePoll() {
        // given a row its writer appended with the grace and sent itself after the commit
        OutboxMessage row = committed("job-1", "{\"n\":1}");
        relay.sendCommitted(row);

        // when the relay's round runs
        assertThat(relay.drain()).as("nothing left for the poll").isZero();

        // then the one send is settled: marked published, sent once
        assertThat(store.published).containsExactly(row.id());
        assertThat(sender.sent).containsExactly("{\"n\":1}");
        assertThat(relay.drain()).isZero();
        assertThat(sender.sent).hasSize(1);
    }

    @Test
    void aRowWhoseWriterCouldNotSendItCountsAnAttemptAndIsSentByThePoll() {
        // given the broker refuses the writer's own send
        sender.failing = true;
        OutboxMessage row = committed("job-1", "{\"n\":1}");
        relay.sendCommitted(row);

        // when the relay's round settles it, the broker still down
        relay.drain();

        // then it is one failed attempt, and the poll's own attempt is the second
        assertThat(store.published).isEmpty();
        assertThat(store.attempts).containsEntry(row.id(), 2);

        // and once the broker is back the poll publishes it
        sender.failing = false;
        assertThat(relay.drain()).isEqualTo(1);
        assertThat(store.published).containsExactly(row.id());
        assertThat(sender.sent).containsExactly("{\"n\":1}");
    }

    @Test
    void aRowTheBrokerRefusesOutrightOnItsWritersSendIsGivenUpAndItsJobToldWhy() {
        sender.tooLarge = true;
        OutboxMessage row = committed("big-1", "{\"big\":1}");
        relay.sendCommitted(row);
        relay.drain();
        assertThat(store.givenUp).containsExactly(row.id());
        assertThat(givenUp).singleElement().asString().startsWith("big-1 too large: could not be handed to the next stage"
                + " after 1 attempt: RecordTooLargeException");
    }

    /** A row as {@link Outbox#append} leaves it: appended with the grace, its transaction committed. */
    private OutboxMessage committed(String key, String json) {
        byte[] envelope = json.getBytes(StandardCharsets.UTF_8);
        long id = store.append("t", key, envelope, null, Duration.ofSeconds(1));
        return new OutboxMessage(id, "t", key, envelope, 0);
    }

    @Test
    void aSenderThatThrowsInsteadOfFailingTheFutureDoesNotStopTheRound() {
        store.append("t", "job-1", "{\"n\":1}");
        sender.throwing = true;
        assertThat(relay.drain()).isZero();
        assertThat(store.attempts).containsEntry(1L, 1);
    }

    @Test
    void aRowThatAlwaysFailsIsGivenUpAfterTheLastAttemptAndItsJobToldWhy() {
        // given a row the broker keeps failing (transiently) and rows behind it
        store.append("t", "poison", "{\"poison\":true}");
        store.append("t", "job-2", "{\"n\":2}");
        store.append("t", "job-3", "{\"n\":3}");
        sender.poison = "poison";

        // when rounds run (no back-off in this test)
        relay.drain();
        relay.drain();
        relay.drain();
        relay.drain();

        // then the others went out, the poisoned row stopped after 3 attempts and its job was failed
        assertThat(sender.sent).containsExactly("{\"n\":2}", "{\"n\":3}");
        assertThat(store.attempts).containsEntry(1L, 3);
        assertThat(store.givenUp).containsExactly(1L);
        assertThat(givenUp).singleElement().asString().startsWith("poison: could not be handed to the next stage after 3 attempts")
                .contains("broker down");
        assertThat(relay.drain()).isZero();
        assertThat(store.attempts).containsEntry(1L, 3);
    }

    @Test
    void aFullBatchOfRowsTheBrokerRefusesForTheirSizeNeverBlocksTheRowsBehindIt() {
        // given more too-large rows than a batch holds (one tenant's burst), then a normal one
        for (int i = 0; i < 5; i++) {
            store.append("t", "big-" + i, "{\"big\":" + i + "}");
        }
        store.append("t", "small", "{\"n\":1}");
        sender.tooLarge = true;

        // when one round runs
        relay.drain();
        relay.drain();

        // then each big row was given up at its first attempt as too large, and the small one went out
        assertThat(sender.sent).containsExactly("{\"n\":1}");
        assertThat(store.givenUp).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(givenUp).hasSize(5).allSatisfy(line -> assertThat(line).contains("too large: could not be handed"
                + " to the next stage after 1 attempt: RecordTooLargeException"));
    }

    @Test
    void theBackOffDoublesUpToItsCeiling() {
        OutboxRelay backingOff = new OutboxRelay(store, sender, TransactionOperations.withoutTransaction(),
                new OutboxProperties(Duration.ofSeconds(1), 2, Duration.ofSeconds(1), 8, Duration.ofSeconds(1),
                        Duration.ofSeconds(10), DataSize.ofKilobytes(960)), (m, t, r) -> { }, new SimpleMeterRegistry());
        assertThat(backingOff.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backingOff.backoff(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backingOff.backoff(4)).isEqualTo(Duration.ofSeconds(8));
        assertThat(backingOff.backoff(5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backingOff.backoff(60)).isEqualTo(Duration.ofSeconds(10));
    }

    private static final class FlakySender implements OutboxSender {
        volatile boolean failing;
        volatile boolean throwing;
        volatile boolean tooLarge;
        volatile String poison;
        final List<String> sent = new ArrayList<>();

        @Override
        public CompletableFuture<?> send(OutboxMessage message) {
            if (throwing) {
                throw new IllegalStateException("producer closed");
            }
            if (message.key().equals(poison)) {
                return CompletableFuture.failedFuture(new PublishException("to t", true, new IllegalStateException("broker down")));
            }
            if (tooLarge && message.key().startsWith("big-")) {
                return CompletableFuture.failedFuture(new PublishException("to t", false,
                        new RecordTooLargeException("The message is 1100000 bytes when serialized which is larger than 1048576")));
            }
            if (failing) {
                return CompletableFuture.failedFuture(new IllegalStateException("broker down"));
            }
            sent.add(new String(message.envelope(), StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(null);
        }
    }

    private static final class InMemoryStore implements OutboxStore {
        final Map<Long, OutboxMessage> rows = new TreeMap<>();
        final List<Long> published = new ArrayList<>();
        final Map<Long, Integer> attempts = new TreeMap<>();
        final List<Long> givenUp = new ArrayList<>();
        long next = 1;

        /** Rows not due for the poll yet (appended with a grace, or waiting out a back-off). */
        final Set<Long> notDue = new HashSet<>();

        @Override
        public long append(String topic, String key, byte[] envelope, String traceparent, Duration dueIn) {
            long id = next++;
            rows.put(id, new OutboxMessage(id, topic, key, envelope, 0, traceparent));
            if (dueIn.isPositive()) {
                notDue.add(id);
            }
            return id;
        }

        void append(String topic, String key, String json) {
            append(topic, key, json.getBytes(StandardCharsets.UTF_8), null, Duration.ZERO);
        }

        @Override
        public List<OutboxMessage> lockUnpublished(int limit) {
            return rows.values().stream().filter(row -> !published.contains(row.id()) && !givenUp.contains(row.id())
                            && !notDue.contains(row.id()))
                    .map(row -> new OutboxMessage(row.id(), row.topic(), row.key(), row.envelope(), attempts.getOrDefault(row.id(), 0)))
                    .limit(limit).toList();
        }

        @Override
        public void markPublished(Collection<Long> ids) {
            published.addAll(ids);
        }

        @Override
        public void markFailed(long id, String error, Duration retryAfter) {
            attempts.merge(id, 1, Integer::sum);
            notDue.remove(id); // this test's back-offs are zero
        }

        @Override
        public void giveUp(long id, String error) {
            attempts.merge(id, 1, Integer::sum);
            givenUp.add(id);
        }

        @Override
        public Backlog backlog() {
            return new Backlog(rows.size() - published.size() - givenUp.size(), Duration.ZERO);
        }
    }
}
