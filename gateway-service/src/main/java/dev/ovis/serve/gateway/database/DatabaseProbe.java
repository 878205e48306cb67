package dev.ovis.serve.gateway.database;

import dev.ovis.serve.gateway.PeriodicWork;
import dev.ovis.serve.gateway.Reachability;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells within a second that PostgreSQL is gone: every {@code interval} a TCP connect to each host of
 * the JDBC URL; when none accepts one (refused, or silent for {@code connect-timeout}) the database
 * is down and {@link ProbedDataSource} refuses connections at once, so a request gets its 503 with
 * Retry-After now rather than after Hikari's {@code connection-timeout}. A database that accepts
 * connections but fails them is still seen by the failing statements (503 too, just later).
 */
public class DatabaseProbe extends PeriodicWork {

    private static final Logger log = LoggerFactory.getLogger(DatabaseProbe.class);
    private static final int DEFAULT_PORT = 5432;

    private final List<InetSocketAddress> addresses;
    private final DatabaseProbeProperties settings;
    private volatile boolean unreachable;

    public DatabaseProbe(String jdbcUrl, DatabaseProbeProperties settings) {
        super("database-probe");
        this.addresses = addressesOf(jdbcUrl);
        this.settings = settings;
    }

    /** Whether, at the last check, no host of the JDBC URL accepted a connection. */
    public boolean databaseDown() {
        return settings.enabled() && unreachable;
    }

    /** What the JDBC URL names, for messages. */
    String addresses() {
        return addresses.stream().map(a -> a.getHostString() + ":" + a.getPort()).toList().toString();
    }

    @Override
    protected void round() {
        boolean now = Reachability.noneAccepts(addresses, settings.connectTimeout());
        if (now != unreachable) {
            if (now) {
                log.warn("PostgreSQL at {} accepts no connections: requests needing it get 503 until it does", addresses());
            } else {
                log.info("PostgreSQL at {} accepts connections again", addresses());
            }
        }
        unreachable = now;
    }

    @Override
    protected Duration interval() {
        return settings.interval();
    }

    @Override
    public void start() {
        if (settings.enabled() && !addresses.isEmpty()) {
            super.start();
        }
    }

    /**
     * The hosts of a {@code jdbc:postgresql://host[:port][,host[:port]…]/database} URL (IPv6 hosts in
     * brackets); none for another form, which is then not probed.
     */
    static List<InetSocketAddress> addressesOf(String jdbcUrl) {
        String prefix = "jdbc:postgresql://";
        if (jdbcUrl == null || !jdbcUrl.toLowerCase(Locale.ROOT).startsWith(prefix)) {
            return List.of();
        }
        String rest = jdbcUrl.substring(prefix.length());
        int end = rest.length();
        for (char c : new char[] {'/', '?'}) {
            int at = rest.indexOf(c);
            if (at >= 0) {
                end = Math.min(end, at);
            }
        }
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String server : rest.substring(0, end).split(",")) {
            server = server.trim();
            if (server.isEmpty()) {
                continue;
            }
            String host = server;
            int port = DEFAULT_PORT;
            int colon = server.lastIndexOf(':');
            if (colon > server.lastIndexOf(']')) {
                host = server.substring(0, colon);
                try {
                    port = Integer.parseInt(server.substring(colon + 1));
                } catch (NumberFormatException e) {
                    return List.of();
                }
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            addresses.add(InetSocketAddress.createUnresolved(host, port));
        }
        return addresses;
    }
}
