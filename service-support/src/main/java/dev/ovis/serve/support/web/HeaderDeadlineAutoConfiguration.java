package dev.ovis.serve.support.web;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Closes a connection whose first request's headers have not all arrived within
 * {@code ovis.http.header-timeout} (10 s) of connecting. Netty's idle timeout restarts with every byte,
 * so a client sending one header byte every few seconds (slowloris) held a connection for hours, and
 * enough of them exhaust the server. The bytes are scanned only up to the blank line that ends the
 * headers, then the connection is left alone (bodies have their own limits). With keep-alive off
 * (the default here, {@link KeepAliveAutoConfiguration}) every request is a connection's first.
 */
@AutoConfiguration
@ConditionalOnClass(NettyServerCustomizer.class)
public class HeaderDeadlineAutoConfiguration {

    @Bean
    NettyServerCustomizer headerDeadline(@Value("${ovis.http.header-timeout:10s}") Duration timeout) {
        return server -> server.doOnChannelInit((observer, channel, address) ->
                channel.pipeline().addFirst("ovis.headerDeadline", new HeaderDeadline(timeout)));
    }

    /** Watches raw bytes for the empty line that ends the headers; closes the channel if it comes too late. */
    static final class HeaderDeadline extends ChannelInboundHandlerAdapter {

        private final Duration timeout;
        private ScheduledFuture<?> deadline;
        // bytes of the current line, CR not counted; -1 before the first, so that an empty line
        // ahead of the request line (allowed) does not count as the end of the headers
        private int lineLength = -1;

        HeaderDeadline(Duration timeout) {
            this.timeout = timeout;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            deadline = ctx.executor().schedule(() -> ctx.close(), timeout.toMillis(), TimeUnit.MILLISECONDS);
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof ByteBuf bytes && endsHeaders(bytes)) {
                deadline.cancel(false);
                ctx.pipeline().remove(this);
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (deadline != null) {
                deadline.cancel(false);
            }
            super.channelInactive(ctx);
        }

        /** CR LF CR LF, or bare LF LF (which Netty accepts too). */
        private boolean endsHeaders(ByteBuf bytes) {
            for (int i = bytes.readerIndex(); i < bytes.writerIndex(); i++) {
                byte b = bytes.getByte(i);
                if (b == '\n') {
                    if (lineLength == 0) {
                        return true;
                    }
                    lineLength = 0;
                } else if (b != '\r') {
                    lineLength++;
                }
            }
            return false;
        }
    }
}
