package dev.ovis.serve.gateway.fetch;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Decides which addresses the gateway may connect to when fetching a URL (SSRF guard): public
 * unicast addresses only, unless a configured network allows more. Refused by default: loopback,
 * private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 — cloud metadata lives
 * there — and fe80::/10), carrier-grade NAT (100.64/10), "this network" (0/8), multicast,
 * broadcast, documentation and benchmark ranges; and every IPv6 form that carries or reaches an IPv4
 * address — IPv4-mapped ({@code ::ffff:0:0/96}: Java reads these as the IPv4 address itself, which is
 * checked), -compatible ({@code ::/96}), -translated
 * ({@code ::ffff:0:0:0/96}), NAT64 ({@code 64:ff9b::/96}, {@code 64:ff9b:1::/48}), 6to4
 * ({@code 2002::/16}) and Teredo ({@code 2001::/32}, within the IETF block {@code 2001::/23}) — since
 * each can lead to a private IPv4 host through a relay or translator. A configured network is still
 * matched against the IPv4 address such a form carries.
 */
final class AddressPolicy {

    private static final List<Cidr> NON_PUBLIC = List.of(
            Cidr.parse("0.0.0.0/8"), Cidr.parse("100.64.0.0/10"), Cidr.parse("192.0.0.0/24"),
            Cidr.parse("192.0.2.0/24"), Cidr.parse("198.18.0.0/15"), Cidr.parse("198.51.100.0/24"),
            Cidr.parse("203.0.113.0/24"), Cidr.parse("240.0.0.0/4"), Cidr.parse("255.255.255.255/32"),
            Cidr.parse("64:ff9b::/96"), Cidr.parse("64:ff9b:1::/48"), Cidr.parse("100::/64"), Cidr.parse("2001::/23"),
            Cidr.parse("2001:db8::/32"), Cidr.parse("2002::/16"), Cidr.parse("3fff::/20"), Cidr.parse("5f00::/16"),
            Cidr.parse("fc00::/7"), Cidr.parse("fec0::/10"), Cidr.parse("::/96"),
            Cidr.parse("::ffff:0:0:0/96"));

    private final List<Cidr> allowed;

    AddressPolicy(List<String> allowedNetworks) {
        this.allowed = allowedNetworks.stream().map(Cidr::parse).toList();
    }

    /** Whether connecting to {@code address} is allowed. */
    boolean permits(InetAddress address) {
        InetAddress effective = unwrapMapped(address);
        for (Cidr cidr : allowed) {
            if (cidr.contains(address) || cidr.contains(effective)) {
                return true;
            }
        }
        return isPublic(address) && isPublic(effective);
    }

    private static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        for (Cidr cidr : NON_PUBLIC) {
            if (cidr.contains(a)) {
                return false;
            }
        }
        return true;
    }

    /** ::ffff:a.b.c.d and ::a.b.c.d are the IPv4 address a.b.c.d for routing purposes. */
    private static InetAddress unwrapMapped(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] b = address.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return address;
            }
        }
        boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] & 0xfe) == 0);
        if (!mapped && !compatible) {
            return address;
        }
        try {
            return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException impossible) {
            return address;
        }
    }

    /** An address block, e.g. {@code 10.0.0.0/8}. */
    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String text) {
            String[] parts = text.trim().split("/");
            try {
                // Literal addresses only: getByName does not resolve when given an IP literal.
                if (!parts[0].matches("[0-9a-fA-F:.]+")) {
                    throw new IllegalArgumentException("not an IP address: " + text);
                }
                byte[] network = InetAddress.getByName(parts[0]).getAddress();
                int prefix = parts.length > 1 ? Integer.parseInt(parts[1]) : network.length * 8;
                if (prefix < 0 || prefix > network.length * 8) {
                    throw new IllegalArgumentException("bad prefix length in " + text);
                }
                return new Cidr(network, prefix);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR: " + text, e);
            }
        }

        boolean contains(InetAddress address) {
            byte[] candidate = address.getAddress();
            if (candidate.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (candidate[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (candidate[full] & mask) == (network[full] & mask);
        }
    }
}
