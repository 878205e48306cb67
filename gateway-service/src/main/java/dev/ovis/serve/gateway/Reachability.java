package dev.ovis.serve.gateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

/**
 * Whether a server is gone, judged by TCP connects alone: the kernel answers a connect, not the
 * server's process, so a loaded machine does not fail it — which makes it the check that can be
 * trusted within a second, where a protocol probe needs seconds of patience to tell an outage
 * from a busy server. Used by the Kafka and PostgreSQL probes.
 */
public final class Reachability {

    private Reachability() {
    }

    /**
     * True only when every address was resolved and refused a connection or did not answer within
     * {@code timeout}. A name that does not resolve right now proves nothing about the server, and
     * an empty list is not an outage.
     */
    public static boolean noneAccepts(List<InetSocketAddress> addresses, Duration timeout) {
        if (addresses.isEmpty()) {
            return false;
        }
        for (InetSocketAddress address : addresses) {
            if (address.isUnresolved()) {
                return false;
            }
            try (Socket socket = new Socket()) {
                socket.connect(address, (int) timeout.toMillis());
                return false;
            } catch (IOException refusedOrSilent) {
                // the next address may accept
            }
        }
        return true;
    }
}
