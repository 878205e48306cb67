package dev.ovis.serve.infra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka 4 broker in KRaft combined mode (broker and controller in one server),
 * running in this JVM and bound to 127.0.0.1 only.
 *
 * <p>Its settings are those one broker needs for consumer groups and transactions to work
 * (internal topics with replication factor 1, no initial rebalance delay), and small thread
 * and buffer counts so an idle broker costs little memory. The log directory is formatted on
 * first use and reused afterwards, so a persistent directory keeps topics across runs.
 */
final class KraftBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KraftBroker.class);
    private static final int START_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final int port;

    private KraftBroker(KafkaRaftServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Formats {@code logDir} when it is new and starts the broker on {@code preferredPort} (0: any
     * free port). A preferred port already taken — another Kafka on this machine — is not fatal:
     * the broker takes a free one and says so (the local run prints the address it got). Retries if
     * a port was taken meanwhile.
     */
    static KraftBroker start(Path logDir, int preferredPort) {
        return start(logDir, preferredPort, 0);
    }

    /**
     * As {@link #start(Path, int)}, with the controller on {@code preferredControllerPort} when it
     * is free (0: any): a broker restarted on the same log directory keeps the addresses its
     * clients and its quorum know ({@link InfraServer}).
     */
    static KraftBroker start(Path logDir, int preferredPort, int preferredControllerPort) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int brokerPort = attempt == 1 && preferredPort > 0 && isFree(preferredPort) ? preferredPort : freePort();
            if (attempt == 1 && preferredPort > 0 && brokerPort != preferredPort) {
                log.warn("Port {} is taken (another Kafka?): the embedded broker listens on {} instead", preferredPort, brokerPort);
            }
            int controllerPort = attempt == 1 && preferredControllerPort > 0 && isFree(preferredControllerPort)
                    ? preferredControllerPort : freePort();
            Properties props = config(logDir, brokerPort, controllerPort);
            format(logDir, props);
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            try {
                server.startup();
                return new KraftBroker(server, brokerPort);
            } catch (RuntimeException e) {
                last = e;
                log.warn("Kafka broker failed to start on ports {}/{} (attempt {}): {}", brokerPort, controllerPort,
                        attempt, e.toString());
                shutdownQuietly(server);
            }
        }
        throw new IllegalStateException("Kafka broker did not start after " + START_ATTEMPTS + " attempts", last);
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        shutdownQuietly(server);
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Kafka broker shutdown failed: {}", e.toString());
        }
    }

    private static Properties config(Path logDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", logDir.toAbsolutePath().toString());
        // One broker: every internal topic must live with a single replica.
        p.setProperty("auto.create.topics.enable", "true");
        p.setProperty("num.partitions", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Small footprint: few threads, a small log-cleaner buffer (the default is 128 MB).
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "2");
        p.setProperty("background.threads", "2");
        p.setProperty("num.recovery.threads.per.data.dir", "1");
        p.setProperty("log.cleaner.threads", "1");
        p.setProperty("log.cleaner.dedupe.buffer.size", "4194304");
        p.setProperty("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        p.setProperty("log.retention.hours", "24");
        return p;
    }

    private static void format(Path logDir, Properties props) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return; // formatted by an earlier run: keep its cluster id and topics
        }
        try {
            Files.createDirectories(logDir);
            Path configFile = Files.createTempFile("ovis-kraft", ".properties");
            try {
                try (Writer w = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
                    props.store(w, "embedded KRaft broker");
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int rc = StorageTool.execute(new String[] {"format", "--cluster-id", Uuid.randomUuid().toString(),
                        "--config", configFile.toString()},
                        new PrintStream(out, true, StandardCharsets.UTF_8));
                if (rc != 0) {
                    throw new IllegalStateException("formatting Kafka log directory " + logDir + " failed: "
                            + out.toString(StandardCharsets.UTF_8));
                }
            } finally {
                Files.deleteIfExists(configFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka log directory " + logDir, e);
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
