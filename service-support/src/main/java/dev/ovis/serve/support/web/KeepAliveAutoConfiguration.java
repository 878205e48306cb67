package dev.ovis.serve.support.web;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * {@code ovis.http.keep-alive=false} answers every HTTP/1.1 request with {@code Connection: close}
 * (a TCP handshake per request), for a proxy or client that mishandles kept-alive connections.
 * Keep-alive is on by default: the stall that once made this the default (Reactor Netty 1.3.6 could
 * stop reading a kept-alive connection, reactor-netty #4361/#4188) is fixed in the Reactor Netty the
 * root pom pins; {@code KeepAliveIT} in the gateway replays the sequences that showed it.
 */
@AutoConfiguration
@ConditionalOnClass(NettyServerCustomizer.class)
@ConditionalOnProperty(name = "ovis.http.keep-alive", havingValue = "false")
public class KeepAliveAutoConfiguration {

    @Bean
    NettyServerCustomizer closeConnectionsAfterEachResponse() {
        return server -> server.maxKeepAliveRequests(1);
    }
}
