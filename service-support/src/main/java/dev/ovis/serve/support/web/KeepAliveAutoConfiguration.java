package dev.ovis.serve.support.web;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Answers every HTTP/1.1 request with {@code Connection: close} while Reactor Netty 1.3.6 (Spring
 * Boot 4.0.7's) can stop reading a kept-alive connection whose next request arrived before the
 * previous exchange terminated (reactor-netty #4361/#4188, fixed in 1.3.8, which needs a Netty whose
 * native files are not available here yet; docs/reliability.md, "Known bugs"). A client then waits
 * for ever on a request the server never reads; a new connection per request costs a loopback or LAN
 * handshake instead. {@code ovis.http.keep-alive=true} turns keep-alive back on once the upgrade is in.
 */
@AutoConfiguration
@ConditionalOnClass(NettyServerCustomizer.class)
@ConditionalOnProperty(name = "ovis.http.keep-alive", havingValue = "false", matchIfMissing = true)
public class KeepAliveAutoConfiguration {

    @Bean
    NettyServerCustomizer closeConnectionsAfterEachResponse() {
        return server -> server.maxKeepAliveRequests(1);
    }
}
