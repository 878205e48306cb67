package dev.ovis.serve.support.kafka;

import dev.ovis.serve.common.envelope.Envelope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;
import org.springframework.kafka.core.KafkaTemplate;

/** {@link EnvelopePublisher} on the shared {@code KafkaTemplate<String, Envelope<?>>}. */
public final class KafkaEnvelopePublisher implements EnvelopePublisher {

    private final KafkaTemplate<String, Envelope<?>> template;
    private final Duration timeout;

    public KafkaEnvelopePublisher(KafkaTemplate<String, Envelope<?>> template, Duration timeout) {
        this.template = template;
        this.timeout = timeout;
    }

    @Override
    public void publish(String topic, Envelope<?> envelope) {
        CompletableFuture<?> sent = send(topic, envelope);
        try {
            sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException(describe(topic, envelope) + ": interrupted while waiting for the ack", true, e);
        } catch (TimeoutException e) {
            throw new PublishException(describe(topic, envelope) + ": no ack within " + timeout, true, e);
        } catch (ExecutionException e) {
            throw failure(topic, envelope, e.getCause());
        }
    }

    @Override
    public CompletableFuture<Void> publishAsync(String topic, Envelope<?> envelope) {
        CompletableFuture<?> sent;
        try {
            sent = send(topic, envelope);
        } catch (PublishException e) {
            return CompletableFuture.failedFuture(e);
        }
        return sent.handle((result, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                throw failure(topic, envelope, cause);
            }
            return null;
        });
    }

    private CompletableFuture<?> send(String topic, Envelope<?> envelope) {
        try {
            return template.send(topic, envelope.subject(), envelope);
        } catch (RuntimeException e) {
            // serialization errors and a closed producer surface synchronously
            throw failure(topic, envelope, e);
        }
    }

    private static PublishException failure(String topic, Envelope<?> envelope, Throwable cause) {
        if (cause instanceof PublishException publish) {
            return publish;
        }
        return new PublishException(describe(topic, envelope) + ": " + cause, isRetriable(cause), cause);
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
