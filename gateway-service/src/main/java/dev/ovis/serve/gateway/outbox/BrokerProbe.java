package dev.ovis.serve.gateway.outbox;

import dev.ovis.serve.gateway.PeriodicWork;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/**
 * Asks the broker to describe its cluster every {@code interval}; after {@code failures} failed
 * probes in a row the broker counts as down until a probe succeeds. While it is down, new work gets
 * 503 with Retry-After at the door ({@code JobService}) — accepting it would only fill the outbox
 * with jobs that wait, or fail after the relay's last attempt — and what was accepted before stays
 * in the outbox, published once the broker is back. Its own admin client, closed with the context.
 */
@Component
public class BrokerProbe extends PeriodicWork {

    private static final Logger log = LoggerFactory.getLogger(BrokerProbe.class);

    private final KafkaAdmin kafka;
    private final BrokerProbeProperties settings;
    private volatile Admin admin;
    private volatile int failedInARow;

    BrokerProbe(KafkaAdmin kafka, BrokerProbeProperties settings) {
        super("broker-probe");
        this.kafka = kafka;
        this.settings = settings;
    }

    /** Whether the last {@code failures} probes all failed. */
    public boolean brokerDown() {
        return settings.enabled() && failedInARow >= settings.failures();
    }

    @Override
    protected void round() {
        boolean wasDown = brokerDown();
        try {
            if (admin == null) {
                admin = Admin.create(kafka.getConfigurationProperties());
            }
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) settings.timeout().toMillis()))
                    .nodes().get(settings.timeout().toMillis() + 500, TimeUnit.MILLISECONDS);
            failedInARow = 0;
            if (wasDown) {
                log.info("Kafka answers again: new work is accepted");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failedInARow++;
            if (!wasDown && brokerDown()) {
                log.warn("Kafka did not answer {} probes in a row: new work gets 503 until it does ({})", failedInARow, e.toString());
            }
        }
    }

    @Override
    protected Duration interval() {
        return settings.interval();
    }

    @Override
    protected Duration firstDelay() {
        return Duration.ZERO;
    }

    @Override
    public void start() {
        if (settings.enabled()) {
            super.start();
        }
    }

    @Override
    public void stop() {
        super.stop();
        Admin current = admin;
        admin = null;
        if (current != null) {
            current.close(Duration.ofSeconds(1));
        }
    }
}
