package dev.ovis.serve.gateway.problem;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.ovis.serve.infra.Infrastructure;
import dev.ovis.serve.infra.test.SharedInfrastructure;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A TCP relay to a real server that a test can cut, as if the server went down (every connection
 * closed, new ones closed at once), and restore. Lets one test take "its" PostgreSQL away without
 * stopping the one the other tests share.
 */
public final class TcpCut implements AutoCloseable {

    private final ServerSocket server;
    private final int target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean open = true;

    public TcpCut(int target) {
        this.target = target;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name("tcp-cut-accept").start(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * Registers the shared infrastructure and puts a cut in front of its PostgreSQL for the
     * application's own connections (pool, listener); Flyway's, at start-up, go direct.
     */
    /** A connection straight to the shared PostgreSQL, past any cut: what another instance would see. */
    public static Connection pastTheCut() throws SQLException {
        Infrastructure infra = SharedInfrastructure.get();
        return DriverManager.getConnection(infra.jdbcUrl(), infra.dbUsername(), infra.dbPassword());
    }

    public static TcpCut inFrontOfTheDatabase(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry);
        String direct = SharedInfrastructure.get().jdbcUrl();
        Matcher port = Pattern.compile("//[^:/]+:(\\d+)/").matcher(direct);
        if (!port.find()) {
            throw new IllegalStateException("no port in " + direct);
        }
        TcpCut cut = new TcpCut(Integer.parseInt(port.group(1)));
        registry.add("spring.datasource.url", () -> direct.replaceFirst("//([^:/]+):\\d+/", "//127.0.0.1:" + cut.port() + "/"));
        return cut;
    }

    /** Closes every connection; new ones are closed as soon as they are accepted. */
    public void cut() {
        open = false;
        sockets.forEach(TcpCut::closeQuietly);
        sockets.clear();
    }

    public void restore() {
        open = true;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (!open) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(client);
                sockets.add(upstream);
                Thread.ofVirtual().start(() -> pump(client, upstream));
                Thread.ofVirtual().start(() -> pump(upstream, client));
            } catch (IOException e) {
                // closed, or the target refused: the client's connection ends here
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        cut();
        server.close();
    }
}
