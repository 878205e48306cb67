package dev.ovis.serve.support.web;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import reactor.netty.NettyPipeline;

/**
 * Closes a connection whose request headers have not all arrived within {@code ovis.http.header-timeout}
 * (10 s) of the request's first byte (of connecting, for a connection's first request). Netty's idle
 * timeout restarts with every byte, so a client sending one header byte every few seconds (slowloris)
 * held a connection for hours, and enough of them exhaust the server. Every request on a kept-alive
 * connection is covered; the wait between requests is not (the idle timeout covers that), nor are
 * bodies (they have their own limits).
 */
@AutoConfiguration
@ConditionalOnClass(NettyServerCustomizer.class)
public class HeaderDeadlineAutoConfiguration {

    @Bean
    NettyServerCustomizer headerDeadline(@Value("${ovis.http.header-timeout:10s}") Duration timeout) {
        return server -> server.doOnChannelInit((observer, channel, address) -> HeaderDeadline.install(channel, timeout));
    }

    /**
     * One connection's deadline, seen from both sides of the HTTP codec: raw bytes arm it when a request
     * begins, the decoded request (its headers complete) cancels it, the decoded end of the request marks
     * the connection as between requests again.
     */
    static final class HeaderDeadline {

        private final Duration timeout;
        private ScheduledFuture<?> deadline;
        private boolean betweenRequests;

        HeaderDeadline(Duration timeout) {
            this.timeout = timeout;
        }

        /** Before and after Reactor Netty's HTTP/1.1 codec, which is in the pipeline when this runs. */
        static void install(Channel channel, Duration timeout) {
            if (channel.pipeline().get(NettyPipeline.HttpCodec) == null) {
                return; // not an HTTP/1.1 pipeline: nothing would tell when headers end
            }
            HeaderDeadline deadline = new HeaderDeadline(timeout);
            channel.pipeline().addFirst("ovis.headerDeadline", deadline.bytes());
            channel.pipeline().addAfter(NettyPipeline.HttpCodec, "ovis.headerDeadline.requests", deadline.requests());
        }

        /** Goes before the codec. */
        ChannelInboundHandlerAdapter bytes() {
            return new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) throws Exception {
                    arm(ctx.channel()); // a connection that never sends a byte is covered too
                    super.channelActive(ctx);
                }

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                    if (betweenRequests && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                        arm(ctx.channel());
                    }
                    super.channelRead(ctx, msg);
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                    cancel();
                    super.channelInactive(ctx);
                }
            };
        }

        /** Goes after the codec. A full request is both a request and its end. */
        ChannelInboundHandlerAdapter requests() {
            return new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                    if (msg instanceof HttpRequest) {
                        // its bytes may have come with the previous request's end, without arming
                        betweenRequests = false;
                        cancel();
                    }
                    if (msg instanceof LastHttpContent) {
                        betweenRequests = true;
                    }
                    super.channelRead(ctx, msg);
                }
            };
        }

        private void arm(Channel channel) {
            betweenRequests = false;
            cancel();
            deadline = channel.eventLoop().schedule(() -> channel.close(), timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void cancel() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }
    }
}
