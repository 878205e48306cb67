package dev.ovis.serve.video.decode;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hands media bytes to the FFmpeg child process over HTTP on 127.0.0.1, with byte-range support.
 * A pipe would do for most containers, but MP4/MOV files written without "fast start" keep their
 * index at the end and FFmpeg must seek to read them; HTTP ranges give it a seekable input without
 * writing the video to disk. Each video gets an unguessable path that disappears when its
 * {@link Lease} closes.
 */
public final class LoopbackMediaServer implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, byte[]> media = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private volatile boolean closed;

    public LoopbackMediaServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a loopback port for FFmpeg input", e);
        }
        server.createContext("/media/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** One video being served; close it when FFmpeg is done. */
    public final class Lease implements AutoCloseable {
        private final String token;

        private Lease(String token) {
            this.token = token;
        }

        /** The URL FFmpeg reads. */
        public URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/media/" + token);
        }

        @Override
        public void close() {
            media.remove(token);
        }
    }

    /** Serves {@code bytes} until the lease is closed. */
    public Lease serve(byte[] bytes) {
        if (closed) {
            throw new IllegalStateException("media server closed");
        }
        byte[] token = new byte[16];
        random.nextBytes(token);
        String key = HexFormat.of().formatHex(token);
        media.put(key, bytes);
        return new Lease(key);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String token = exchange.getRequestURI().getPath().substring("/media/".length());
            byte[] bytes = media.get(token);
            if (bytes == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            long start = 0;
            long end = bytes.length - 1L;
            int status = 200;
            String range = exchange.getRequestHeaders().getFirst("Range");
            if (range != null) {
                Matcher matcher = RANGE.matcher(range.trim());
                if (matcher.matches() && !matcher.group(1).isEmpty()) {
                    start = Long.parseLong(matcher.group(1));
                    if (!matcher.group(2).isEmpty()) {
                        end = Math.min(end, Long.parseLong(matcher.group(2)));
                    }
                    if (start >= bytes.length || start > end) {
                        exchange.getResponseHeaders().set("Content-Range", "bytes */" + bytes.length);
                        exchange.sendResponseHeaders(416, -1);
                        return;
                    }
                    status = 206;
                    exchange.getResponseHeaders().set("Content-Range",
                            "bytes " + start + "-" + end + "/" + bytes.length);
                }
            }
            exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
            // one request per connection: FFmpeg's keep-alive re-use after a seek is not reliable here
            exchange.getResponseHeaders().set("Connection", "close");
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            long length = end - start + 1;
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head || length == 0 ? -1 : length);
            if (!head && length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes, (int) start, (int) length);
                } catch (IOException ignored) {
                    // FFmpeg closes the connection when it seeks elsewhere; nothing to do
                }
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            server.stop(0);
            executor.shutdownNow();
            media.clear();
        }
    }
}
