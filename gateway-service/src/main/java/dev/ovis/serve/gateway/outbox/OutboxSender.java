package dev.ovis.serve.gateway.outbox;

import java.util.concurrent.CompletableFuture;

/** Publishes one outbox row to the broker; {@link KafkaOutboxSender} in production. */
interface OutboxSender {

    /** Completes when the broker acknowledged the record, exceptionally when it did not. */
    CompletableFuture<?> send(OutboxMessage message);
}
