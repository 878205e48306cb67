package dev.ovis.serve.gateway.outbox;

import dev.ovis.serve.common.envelope.Envelope;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import dev.ovis.serve.support.kafka.EnvelopeJson;
import dev.ovis.serve.support.observability.TraceParents;

/**
 * Appends a message to the outbox inside the caller's transaction, so it is published if and
 * only if that transaction commits; the relay is nudged right after the commit.
 */
@Component
public class Outbox {

    private final OutboxStore store;
    private final OutboxRelay relay;
    private final EnvelopeJson json;
    private final TraceParents traces;

    Outbox(OutboxStore store, OutboxRelay relay, EnvelopeJson json, TraceParents traces) {
        this.store = store;
        this.relay = relay;
        this.json = json;
        this.traces = traces;
    }

    /** Queues {@code envelope} for {@code topic}, keyed by its subject (the job id). Must run in a transaction. */
    public void append(String topic, Envelope<?> envelope) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            throw new IllegalStateException("Outbox.append must run inside the transaction of the change it announces");
        }
        store.append(topic, envelope.subject(), json.mapper().writeValueAsString(envelope), traces.current());
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                relay.nudge();
            }
        });
    }
}
