package dev.ovis.serve.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * The broker probe's two checks, driven round by round (no timing): a broker whose port refuses
 * connections is down after one connect round (the connect interval, 250 ms by default, is what
 * bounds the detection time); a port that accepts connections but does not speak Kafka is down only
 * after the describe probes failed {@code failures} times; and a refused port coming back is not
 * enough to accept work again while the describes still fail.
 */
class BrokerProbeTests {

    private static final BrokerProbeProperties SETTINGS = new BrokerProbeProperties(true, Duration.ZERO,
            Duration.ofMillis(200), 3, Duration.ofMillis(250), Duration.ofMillis(500));

    @Test
    void aPortThatRefusesConnectionsIsDownAfterOneRound() throws IOException {
        int port = freePort();
        BrokerProbe probe = new BrokerProbe(new KafkaAdmin(Map.of("bootstrap.servers", "127.0.0.1:" + port)), SETTINGS);
        try {
            assertThat(probe.brokerDown()).as("before any round").isFalse();
            probe.round();
            assertThat(probe.brokerDown()).as("after one connect round").isTrue();
        } finally {
            probe.stop();
        }
    }

    @Test
    void aPortThatAcceptsButIsNotKafkaIsDownOnlyAfterTheDescribesFail() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            BrokerProbe probe = new BrokerProbe(new KafkaAdmin(Map.of("bootstrap.servers", "127.0.0.1:" + silent.port())),
                    SETTINGS);
            try {
                probe.round();
                assertThat(probe.brokerDown()).as("the port accepts: not down on the connect check").isFalse();
                // Each round starts a describe when none is in flight; three failed ones make it down.
                Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    probe.round();
                    return probe.brokerDown();
                });
            } finally {
                probe.stop();
            }
        }
    }

    @Test
    void aBrokerFromTheListIsEnoughWhenAnotherRefuses() throws Exception {
        int refused = freePort();
        try (SilentServer silent = new SilentServer()) {
            BrokerProbe probe = new BrokerProbe(new KafkaAdmin(Map.of("bootstrap.servers",
                    List.of("127.0.0.1:" + refused, "localhost:" + silent.port()))), SETTINGS);
            try {
                probe.round();
                assertThat(probe.brokerDown()).isFalse();
            } finally {
                probe.stop();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Accepts connections and never answers: a port that is open but is not a working broker. */
    private static final class SilentServer implements AutoCloseable {

        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> accepted = new ArrayList<>();

        SilentServer() throws IOException {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket socket = server.accept();
                        synchronized (accepted) {
                            accepted.add(socket);
                        }
                    }
                } catch (IOException closed) {
                    // closed by the test
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (accepted) {
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }
}
