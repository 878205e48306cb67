package dev.ovis.serve.gateway.fetch;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Name resolution for the URL fetcher that only ever yields addresses the {@link AddressPolicy}
 * permits. The check happens on the very addresses the connection uses, so a host whose DNS
 * answer changes between a check and the connect (DNS rebinding) cannot slip through.
 */
final class GuardedAddressResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private final AddressPolicy policy;

    GuardedAddressResolverGroup(AddressPolicy policy) {
        this.policy = policy;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new GuardedNameResolver(executor, policy).asAddressResolver();
    }

    /** Thrown (as the resolution failure) when a host resolves only to refused addresses. */
    static final class ForbiddenAddressException extends UnknownHostException {
        ForbiddenAddressException(String host, List<InetAddress> addresses) {
            super("'" + host + "' resolves to a non-public address " + addresses.stream().map(InetAddress::getHostAddress).toList()
                    + "; such addresses are refused unless ovis.gateway.fetch.allowed-networks lists them");
        }
    }

    private static final class GuardedNameResolver extends InetNameResolver {

        private final AddressPolicy policy;

        GuardedNameResolver(EventExecutor executor, AddressPolicy policy) {
            super(executor);
            this.policy = policy;
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            try {
                List<InetAddress> permitted = permitted(host);
                promise.setSuccess(permitted.getFirst());
            } catch (UnknownHostException e) {
                promise.setFailure(e);
            }
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            try {
                promise.setSuccess(permitted(host));
            } catch (UnknownHostException e) {
                promise.setFailure(e);
            }
        }

        /** Every address of {@code host} must be permitted: a mixed answer is refused as a whole. */
        private List<InetAddress> permitted(String host) throws UnknownHostException {
            List<InetAddress> all = Arrays.asList(InetAddress.getAllByName(host));
            List<InetAddress> refused = all.stream().filter(a -> !policy.permits(a)).toList();
            if (!refused.isEmpty()) {
                throw new ForbiddenAddressException(host, refused);
            }
            return all;
        }
    }
}
