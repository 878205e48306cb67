package dev.ovis.serve.gateway.outbox;

import dev.ovis.serve.gateway.PeriodicWork;
import dev.ovis.serve.gateway.Reachability;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/**
 * Tells whether Kafka is down, so that new work gets 503 with Retry-After at the door ({@code
 * JobService}) — accepting it would only fill the outbox with jobs that wait, or fail after the
 * relay's last attempt — while what was accepted before stays in the outbox, published once the
 * broker is back. Two checks, because one cannot be both fast and free of false alarms:
 * <ul>
 *   <li>every {@code connect-interval}, a TCP connection to each bootstrap address: when none accepts
 *       one (refused, or no answer within {@code connect-timeout}) the broker is down at once
 *       ({@link Reachability}) — the check that sees a stopped or unreachable broker within a second;</li>
 *   <li>every {@code interval}, the broker is asked to describe its cluster; after {@code failures}
 *       failed answers in a row it counts as down. This sees a broker that accepts connections but
 *       does not work (3–9 s), and after an outage it decides when work is accepted again: only once
 *       the broker answered, not merely its port.</li>
 * </ul>
 * Its own admin client, closed with the context; the describe is not awaited on the probe's thread,
 * so a slow answer never delays the connect check.
 */
@Component
public class BrokerProbe extends PeriodicWork {

    private static final Logger log = LoggerFactory.getLogger(BrokerProbe.class);

    private final KafkaAdmin kafka;
    private final BrokerProbeProperties settings;
    private volatile Admin admin;
    private volatile int failedInARow;
    private volatile boolean unreachable;
    private volatile boolean describing;
    private long lastDescribe;

    BrokerProbe(KafkaAdmin kafka, BrokerProbeProperties settings) {
        super("broker-probe");
        this.kafka = kafka;
        this.settings = settings;
        this.lastDescribe = System.nanoTime() - settings.interval().toNanos();
    }

    /** Whether no bootstrap address accepts a connection, or the last {@code failures} describes failed. */
    public boolean brokerDown() {
        return settings.enabled() && (unreachable || failedInARow >= settings.failures());
    }

    @Override
    protected void round() {
        boolean wasDown = brokerDown();
        unreachable = Reachability.noneAccepts(bootstrapAddresses(), settings.connectTimeout());
        long now = System.nanoTime();
        if (!describing && now - lastDescribe >= settings.interval().toNanos()) {
            lastDescribe = now;
            describe();
        }
        if (!wasDown && brokerDown()) {
            log.warn("Kafka is down ({}): new work gets 503 until it answers", reason());
        }
    }

    private void describe() {
        describing = true;
        try {
            if (admin == null) {
                admin = Admin.create(kafka.getConfigurationProperties());
            }
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) settings.timeout().toMillis()))
                    .nodes().whenComplete(this::described);
        } catch (RuntimeException e) {
            // not even asked (a client that cannot be made or is closing): a failed probe, and the next
            // round asks again rather than waiting for an answer that will never come
            described(null, e);
        }
    }

    private void described(Object nodes, Throwable error) {
        boolean wasDown = brokerDown();
        if (error == null) {
            failedInARow = 0;
        } else {
            failedInARow++;
        }
        describing = false;
        if (wasDown && !brokerDown()) {
            log.info("Kafka answers again: new work is accepted");
        } else if (!wasDown && brokerDown()) {
            log.warn("Kafka is down ({}): new work gets 503 until it answers ({})", reason(), error.toString());
        }
    }

    private String reason() {
        return unreachable ? "no bootstrap address accepts a connection"
                : failedInARow + " describe-cluster probes in a row failed";
    }

    private List<InetSocketAddress> bootstrapAddresses() {
        Object configured = kafka.getConfigurationProperties().get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        List<String> servers = new ArrayList<>();
        if (configured instanceof Collection<?> list) {
            list.forEach(server -> servers.add(String.valueOf(server)));
        } else if (configured != null) {
            servers.addAll(List.of(configured.toString().split(",")));
        }
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String server : servers) {
            String host = Utils.getHost(server.trim());
            Integer port = Utils.getPort(server.trim());
            if (host != null && port != null) {
                addresses.add(InetSocketAddress.createUnresolved(host, port));
            }
        }
        return addresses;
    }

    @Override
    protected Duration interval() {
        return settings.connectInterval();
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
