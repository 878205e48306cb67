package dev.ovis.serve.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.gateway.GatewayProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionOperations;

/** The relay's bookkeeping: a row is marked published only once the broker acknowledged it. */
class OutboxRelayTests {

    private final InMemoryStore store = new InMemoryStore();
    private final FlakySender sender = new FlakySender();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final OutboxRelay relay = new OutboxRelay(store, sender, TransactionOperations.withoutTransaction(),
            new GatewayProperties.Outbox(Duration.ofSeconds(1), 2, Duration.ofSeconds(1)), meters);

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
    void aSenderThatThrowsInsteadOfFailingTheFutureDoesNotStopTheRound() {
        store.append("t", "job-1", "{\"n\":1}");
        sender.throwing = true;
        assertThat(relay.drain()).isZero();
        assertThat(store.attempts).containsEntry(1L, 1);
    }

    private static final class FlakySender implements OutboxSender {
        volatile boolean failing;
        volatile boolean throwing;
        final List<String> sent = new ArrayList<>();

        @Override
        public CompletableFuture<?> send(OutboxMessage message) {
            if (throwing) {
                throw new IllegalStateException("producer closed");
            }
            if (failing) {
                return CompletableFuture.failedFuture(new IllegalStateException("broker down"));
            }
            sent.add(message.envelope());
            return CompletableFuture.completedFuture(null);
        }
    }

    private static final class InMemoryStore implements OutboxStore {
        final Map<Long, OutboxMessage> rows = new TreeMap<>();
        final List<Long> published = new ArrayList<>();
        final Map<Long, Integer> attempts = new TreeMap<>();
        long next = 1;

        @Override
        public void append(String topic, String key, String envelopeJson) {
            long id = next++;
            rows.put(id, new OutboxMessage(id, topic, key, envelopeJson, 0));
        }

        @Override
        public List<OutboxMessage> lockUnpublished(int limit) {
            return rows.values().stream().filter(row -> !published.contains(row.id())).limit(limit).toList();
        }

        @Override
        public void markPublished(Collection<Long> ids) {
            published.addAll(ids);
        }

        @Override
        public void markFailed(long id, String error) {
            attempts.merge(id, 1, Integer::sum);
        }

        @Override
        public Backlog backlog() {
            return new Backlog(rows.size() - published.size(), Duration.ZERO);
        }
    }
}
