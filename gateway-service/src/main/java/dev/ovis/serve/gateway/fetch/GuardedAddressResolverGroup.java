package dev.ovis.serve.gateway.fetch;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Name resolution for the URL fetcher that only ever yields addresses the {@link AddressPolicy}
 * permits. The check happens on the very addresses the connection uses, so a host whose DNS
 * answer changes between a check and the connect (DNS rebinding) cannot slip through.
 *
 * <p>Names are resolved by Netty's asynchronous {@link DnsNameResolver} (the hosts file first, then
 * the system's name servers) on one thread of its own — never with the blocking
 * {@code InetAddress.getAllByName} on the event loop the HTTP server shares, where one slow DNS
 * server froze every request. Each query has a timeout. {@link #close()} stops the thread.
 */
final class GuardedAddressResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private final AddressPolicy policy;
    private final EventLoopGroup dnsLoop;
    private final DnsNameResolver dns;

    GuardedAddressResolverGroup(AddressPolicy policy, Duration queryTimeout) {
        this.policy = policy;
        this.dnsLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gateway-dns", true), NioIoHandler.newFactory());
        this.dns = new DnsNameResolverBuilder(dnsLoop.next())
                .datagramChannelType(NioDatagramChannel.class)
                .socketChannelType(NioSocketChannel.class)
                .queryTimeoutMillis(queryTimeout.toMillis())
                .build();
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new GuardedNameResolver(executor, dns, policy).asAddressResolver();
    }

    @Override
    public void close() {
        super.close();
        dns.close();
        dnsLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Thrown (as the resolution failure) when a host resolves only to refused addresses. */
    static final class ForbiddenAddressException extends UnknownHostException {
        ForbiddenAddressException(String host, List<InetAddress> addresses) {
            super("'" + host + "' resolves to a non-public address " + addresses.stream().map(InetAddress::getHostAddress).toList()
                    + "; such addresses are refused unless ovis.gateway.fetch.allowed-networks lists them");
        }
    }

    /** Asks the shared DNS resolver and vets its answer; the caller's executor gets the result. */
    private static final class GuardedNameResolver extends InetNameResolver {

        private final DnsNameResolver dns;
        private final AddressPolicy policy;

        GuardedNameResolver(EventExecutor executor, DnsNameResolver dns, AddressPolicy policy) {
            super(executor);
            this.dns = dns;
            this.policy = policy;
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            resolve(host, all -> promise.trySuccess(all.getFirst()), promise::tryFailure);
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            resolve(host, promise::trySuccess, promise::tryFailure);
        }

        /** Every address of {@code host} must be permitted: a mixed answer is refused as a whole. */
        private void resolve(String host, java.util.function.Consumer<List<InetAddress>> success,
                             java.util.function.Consumer<Throwable> failure) {
            dns.resolveAll(host).addListener((Future<List<InetAddress>> answer) -> {
                if (!answer.isSuccess()) {
                    failure.accept(answer.cause());
                    return;
                }
                List<InetAddress> all = answer.getNow();
                List<InetAddress> refused = all.stream().filter(a -> !policy.permits(a)).toList();
                if (all.isEmpty()) {
                    failure.accept(new UnknownHostException("no address for '" + host + "'"));
                } else if (!refused.isEmpty()) {
                    failure.accept(new ForbiddenAddressException(host, refused));
                } else {
                    success.accept(all);
                }
            });
        }
    }
}
