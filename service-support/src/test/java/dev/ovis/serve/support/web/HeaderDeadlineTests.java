package dev.ovis.serve.support.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
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
        EmbeddedChannel channel = new EmbeddedChannel(new HeaderDeadlineAutoConfiguration.HeaderDeadline(TIMEOUT));
        for (int second = 0; second < 9; second++) {
            channel.writeInbound(Unpooled.copiedBuffer(second == 0 ? "GET / HTTP/1.1\r\nX-A: " : "a", StandardCharsets.US_ASCII));
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
        }
        assertThat(channel.isOpen()).as("still within the deadline").isTrue();
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("closed at the deadline, though bytes kept coming").isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void headersThatEndInTimeKeepTheConnectionWhateverTheLineEndings() {
        for (String request : new String[] {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "\r\nGET / HTTP/1.1\nHost: a\n\n"}) {
            EmbeddedChannel channel = new EmbeddedChannel(new HeaderDeadlineAutoConfiguration.HeaderDeadline(TIMEOUT));
            // split anywhere: the end of the headers may straddle two reads
            int half = request.length() - 2;
            channel.writeInbound(Unpooled.copiedBuffer(request.substring(0, half), StandardCharsets.US_ASCII));
            channel.writeInbound(Unpooled.copiedBuffer(request.substring(half), StandardCharsets.US_ASCII));
            channel.advanceTimeBy(60, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
            assertThat(channel.isOpen()).as(request.replace("\r", "\\r").replace("\n", "\\n")).isTrue();
            assertThat(channel.pipeline().get(HeaderDeadlineAutoConfiguration.HeaderDeadline.class)).isNull();
            channel.finishAndReleaseAll();
        }
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
