package dev.ovis.serve.support.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** A client that never finishes its headers loses the connection; one that does keeps it. */
class HeaderDeadlineTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void headersTrickledPastTheDeadlineCloseTheConnection() {
        EmbeddedChannel channel = channel();
        trickle(channel, "GET / HTTP/1.1\r\nX-A: ");
        assertThat(channel.isOpen()).as("closed at the deadline, though bytes kept coming").isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void everyRequestOnAKeptAliveConnectionHasItsOwnDeadline() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: a\r\n\r\n"));
        pass(channel, 60); // idle between requests: the idle timeout's business, not this one's
        assertThat(channel.isOpen()).as("idle after an answered request").isTrue();
        // a body that ends in the same read as the next request's complete headers
        channel.writeInbound(ascii("POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /c HTTP/1.1\r\nHost: a\r\n\r\n"));
        pass(channel, 60);
        assertThat(channel.isOpen()).as("requests whose headers all came").isTrue();
        trickle(channel, "GET /d HTTP/1.1\r\nX-A: ");
        assertThat(channel.isOpen()).as("the third request's headers trickled past the deadline").isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void headersThatEndInTimeKeepTheConnection() {
        // the end of the headers is the codec's to find (Netty 4.2 takes CRLF line ends only)
        for (String request : new String[] {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"}) {
            EmbeddedChannel channel = channel();
            // split anywhere: the end of the headers may straddle two reads
            int half = request.length() - 2;
            channel.writeInbound(ascii(request.substring(0, half)));
            channel.writeInbound(ascii(request.substring(half)));
            pass(channel, 60);
            assertThat(channel.isOpen()).as(request.replace("\r", "\\r").replace("\n", "\\n")).isTrue();
            channel.finishAndReleaseAll();
        }
    }

    /** A connection as the server's pipeline has it: raw bytes, the HTTP codec, decoded requests. */
    private static EmbeddedChannel channel() {
        HeaderDeadlineAutoConfiguration.HeaderDeadline deadline = new HeaderDeadlineAutoConfiguration.HeaderDeadline(TIMEOUT);
        return new EmbeddedChannel(deadline.bytes(), new HttpServerCodec(), deadline.requests());
    }

    /** Starts a request's headers, then one more byte a second for 11 s. */
    private static void trickle(EmbeddedChannel channel, String start) {
        for (int second = 0; second < 11 && channel.isOpen(); second++) {
            channel.writeInbound(ascii(second == 0 ? start : "a"));
            pass(channel, 1);
            if (second == 8) {
                assertThat(channel.isOpen()).as("still within the deadline").isTrue();
            }
        }
    }

    private static void pass(EmbeddedChannel channel, int seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
    }

    private static io.netty.buffer.ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    /** On a real Reactor Netty server, as the auto-configuration installs it. */
    @Test
    void aRealServerDropsASlowlorisAndAnswersANormalClient() throws Exception {
        HttpServer server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> response.sendString(Mono.just("ok")));
        server = new HeaderDeadlineAutoConfiguration().headerDeadline(Duration.ofMillis(500)).apply(server);
        DisposableServer running = server.bindNow();
        try {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), running.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                long start = System.nanoTime();
                InputStream in = socket.getInputStream();
                int read = in.read(); // blocks until the server closes (-1) or the 10 s timeout throws
                assertThat(read).as("closed without an answer").isEqualTo(-1);
                System.out.printf("slowloris connection closed after %.2f s%n", (System.nanoTime() - start) / 1e9);
            }
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), running.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] answer = new byte[4096];
                int n = in.read(answer);
                assertThat(new String(answer, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
                Thread.sleep(1000); // idle past the deadline between requests: kept
                out.write("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.read()).as("the kept-alive connection's slow second request is cut").isEqualTo(-1);
            }
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), running.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(1000); // past the deadline: the answered connection is not cut
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(answer).startsWith("HTTP/1.1 200").endsWith("ok");
            }
        } finally {
            running.disposeNow();
        }
    }
}
