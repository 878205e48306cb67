package dev.ovis.serve.gateway.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTests {

    private final AddressPolicy defaults = new AddressPolicy(List.of());

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
            "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1",
            "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "2001:db8::1",
            // IPv6 forms that reach IPv4 hosts through a relay or translator: 6to4, Teredo, NAT64, translated, compatible
            "2002:c0a8:101::1", "2002:808:808::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "64:ff9b::a00:1",
            "64:ff9b:1::a00:1", "::ffff:0:a00:1", "::10.0.0.1", "::8.8.8.8", "fec0::1", "3fff::1"})
    void refusesNonPublicAddresses(String literal) throws Exception {
        assertThat(defaults.permits(InetAddress.getByName(literal))).as(literal).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.215.14", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"})
    void permitsPublicAddresses(String literal) throws Exception {
        assertThat(defaults.permits(InetAddress.getByName(literal))).as(literal).isTrue();
    }

    @Test
    void allowListOpensOnlyTheNamedNetworks() throws Exception {
        AddressPolicy policy = new AddressPolicy(List.of("127.0.0.1/32", "10.1.0.0/16"));

        assertThat(policy.permits(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(policy.permits(InetAddress.getByName("10.1.200.3"))).isTrue();
        assertThat(policy.permits(InetAddress.getByName("10.2.0.1"))).isFalse();
        assertThat(policy.permits(InetAddress.getByName("169.254.169.254"))).isFalse();
    }
}
