package dev.ovis.serve.gateway.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import dev.ovis.serve.support.observability.TraceParents;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

/** Wires the relay to the database and the broker. */
@Configuration(proxyBeanMethods = false)
class OutboxConfiguration {

    @Bean
    KafkaOutboxSender outboxSender(EnvelopePublisher publisher, TraceParents traces) {
        return new KafkaOutboxSender(publisher, traces);
    }

    @Bean
    OutboxRelay outboxRelay(OutboxStore store, OutboxSender sender, TransactionTemplate transactions,
                            OutboxProperties settings, UndeliverableMessages undeliverable, MeterRegistry meters) {
        return new OutboxRelay(store, sender, transactions, settings, undeliverable, meters);
    }
}
