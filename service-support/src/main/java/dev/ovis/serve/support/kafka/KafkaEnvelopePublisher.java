package dev.ovis.serve.support.kafka;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.envelope.Envelope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * {@link EnvelopePublisher} on the shared {@code KafkaTemplate<String, Object>}, whose value
 * serializer writes an {@link Envelope} as JSON and passes bytes serialized earlier through as they
 * are ({@link KafkaSupportAutoConfiguration}).
 */
public final class KafkaEnvelopePublisher implements EnvelopePublisher {

    private final KafkaTemplate<String, Object> template;
    private final Duration timeout;

    public KafkaEnvelopePublisher(KafkaTemplate<String, Object> template, Duration timeout) {
        this.template = template;
        this.timeout = timeout;
    }

    @Override
    public <T> void publish(Topic<T> topic, Envelope<T> envelope) {
        String what = describe(topic.name(), envelope);
        CompletableFuture<?> sent = send(topic.name(), envelope.subject(), envelope, what);
        try {
            sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException(what + ": interrupted while waiting for the ack", true, e);
        } catch (TimeoutException e) {
            throw new PublishException(what + ": no ack within " + timeout, true, e);
        } catch (ExecutionException e) {
            throw failure(what, e.getCause());
        }
    }

    @Override
    public <T> CompletableFuture<Void> publishAsync(Topic<T> topic, Envelope<T> envelope) {
        return sendAsync(topic.name(), envelope.subject(), envelope, describe(topic.name(), envelope));
    }

    @Override
    public CompletableFuture<Void> publishSerializedAsync(String topic, String key, byte[] value) {
        return sendAsync(topic, key, value, "cannot publish a serialized envelope of " + key + " to " + topic);
    }

    private CompletableFuture<Void> sendAsync(String topic, String key, Object value, String what) {
        CompletableFuture<?> sent;
        try {
            sent = send(topic, key, value, what);
        } catch (PublishException e) {
            return CompletableFuture.failedFuture(e);
        }
        return sent.handle((result, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                throw failure(what, cause);
            }
            return null;
        });
    }

    private CompletableFuture<?> send(String topic, String key, Object value, String what) {
        try {
            return template.send(topic, key, value);
        } catch (RuntimeException e) {
            // serialization errors and a closed producer surface synchronously
            throw failure(what, e);
        }
    }

    private static PublishException failure(String what, Throwable cause) {
        if (cause instanceof PublishException publish) {
            return publish;
        }
        return new PublishException(what + ": " + cause, isRetriable(cause), cause);
    }

    private static boolean isRetriable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException || t instanceof TimeoutException) {
                return true;
            }
            if (t instanceof org.apache.kafka.common.errors.RecordTooLargeException
                    || t instanceof org.apache.kafka.common.errors.SerializationException
                    || t instanceof org.apache.kafka.common.errors.InvalidTopicException) {
                return false;
            }
        }
        // unknown failures (broker closed, producer fenced …) are treated as worth another try
        return true;
    }

    private static String describe(String topic, Envelope<?> envelope) {
        return "cannot publish " + envelope.type() + " " + envelope.id() + " to " + topic;
    }
}
