package dev.ovis.serve.gateway.outbox;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.time.Duration;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import dev.ovis.serve.support.kafka.EnvelopeJson;
import dev.ovis.serve.support.kafka.EnvelopeSerializer;
import dev.ovis.serve.support.observability.TraceParents;

/**
 * Appends a message to the outbox inside the caller's transaction, so it is published if and
 * only if that transaction commits; right after the commit the committing thread hands it to the
 * producer itself ({@link OutboxRelay#sendCommitted}) when the topic is known to the producer, or
 * nudges the relay; the relay's poll is the fallback. A row holds the
 * envelope serialized as the producer's serializer writes it, and the relay sends those bytes as
 * they are: what was sized here is what the broker gets.
 */
@Component
public class Outbox {

    private final OutboxStore store;
    private final OutboxRelay relay;
    private final EnvelopeSerializer serializer;
    private final TraceParents traces;
    private final long maxMessageBytes;

    Outbox(OutboxStore store, OutboxRelay relay, EnvelopeJson json, TraceParents traces, OutboxProperties properties) {
        this.store = store;
        this.relay = relay;
        this.serializer = new EnvelopeSerializer(json);
        this.traces = traces;
        this.maxMessageBytes = properties.maxMessageBytes().toBytes();
    }

    /**
     * Queues {@code envelope} for {@code topic}, keyed by its subject (the job id). Must run in a
     * transaction. An envelope larger than the broker takes is refused here with a 413, so the
     * transaction rolls back and the client is answered now rather than its job failing later.
     */
    public <T> void append(Topic<T> topic, Envelope<T> envelope) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            throw new IllegalStateException("Outbox.append must run inside the transaction of the change it announces");
        }
        byte[] serialized = serializer.serialize(topic.name(), envelope);
        if (serialized.length > maxMessageBytes) {
            throw new ApiException(ErrorCode.MEDIA_TOO_LARGE, "the request is " + serialized.length
                    + " bytes as a stage request, more than the " + maxMessageBytes + " one may carry; send media by"
                    + " reference (POST /v1/media, then its id) and shorten the text");
        }
        String traceparent = traces.current();
        boolean direct = relay.sendsDirectly(topic.name());
        long id = store.append(topic.name(), envelope.subject(), serialized, traceparent,
                direct ? relay.directSendGrace() : Duration.ZERO);
        OutboxMessage message = new OutboxMessage(id, topic.name(), envelope.subject(), serialized, 0, traceparent);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                if (direct) {
                    relay.sendCommitted(message);
                } else {
                    relay.nudge();
                }
            }
        });
    }
}
