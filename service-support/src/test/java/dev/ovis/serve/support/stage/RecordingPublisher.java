package dev.ovis.serve.support.stage;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.kafka.PublishException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** An in-memory {@link EnvelopePublisher} that records what was sent, and can refuse chosen messages. */
final class RecordingPublisher implements EnvelopePublisher {

    record Sent(Topic<?> topic, Envelope<?> envelope) {
        Object data() {
            return envelope.data();
        }
    }

    final List<Sent> sent = new ArrayList<>();
    private Predicate<Envelope<?>> refuse = envelope -> false;
    private boolean refusalRetriable = true;

    void refuse(Predicate<Envelope<?>> which, boolean retriable) {
        this.refuse = which;
        this.refusalRetriable = retriable;
    }

    @Override
    public synchronized <T> void publish(Topic<T> topic, Envelope<T> envelope) {
        if (refuse.test(envelope)) {
            throw new PublishException("refused " + envelope.id(), refusalRetriable, null);
        }
        sent.add(new Sent(topic, envelope));
    }

    @Override
    public <T> CompletableFuture<Void> publishAsync(Topic<T> topic, Envelope<T> envelope) {
        try {
            publish(topic, envelope);
            return CompletableFuture.completedFuture(null);
        } catch (PublishException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> publishSerializedAsync(String topic, String key, byte[] value) {
        throw new UnsupportedOperationException("stages publish envelopes");
    }

    synchronized List<String> ids() {
        return sent.stream().map(s -> s.envelope().id()).toList();
    }
}
