package dev.ovis.serve.gateway;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
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
     * True only when no address accepts a connection: every name resolved, and each of its IP
     * addresses refused or did not answer within {@code timeout}. All addresses of a name are tried,
     * as the Kafka and PostgreSQL clients do ("localhost" may be ::1 first while the server listens
     * on 127.0.0.1). A name that does not resolve right now proves nothing about the server, and an
     * empty list is not an outage.
     *
     * @param addresses host names or literals with ports, resolved here (unresolved ones are fine)
     */
    public static boolean noneAccepts(List<InetSocketAddress> addresses, Duration timeout) {
        if (addresses.isEmpty()) {
            return false;
        }
        for (InetSocketAddress address : addresses) {
            InetAddress[] all;
            try {
                all = InetAddress.getAllByName(address.getHostString());
            } catch (UnknownHostException e) {
                return false;
            }
            for (InetAddress ip : all) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(ip, address.getPort()), (int) timeout.toMillis());
                    return false;
                } catch (IOException refusedOrSilent) {
                    // the next address may accept
                }
            }
        }
        return true;
    }
}
