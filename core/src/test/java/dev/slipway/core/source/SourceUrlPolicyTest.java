package dev.slipway.core.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.NetworkInterface;
import java.util.Collections;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The hosts a RepositoryUrl may name under {@code --source-url-policy no-local}, in the spellings Git URLs come in. */
class SourceUrlPolicyTest {
    @Provide
    Arbitrary<String> localHosts() {
        Arbitrary<String> loopback4 = Arbitraries.integers().between(0, 255).list().ofSize(3)
                .map(l -> "127." + l.get(0) + "." + l.get(1) + "." + l.get(2));
        Arbitrary<String> linkLocal4 = Arbitraries.integers().between(0, 255).list().ofSize(2).map(l -> "169.254." + l.get(0) + "." + l.get(1));
        Arbitrary<String> fixed = Arbitraries.of("localhost", "LOCALHOST", "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]",
                "0.0.0.0", "[::]", "[fe80::1]", "169.254.169.254", "127.1", "2130706433");
        return Arbitraries.oneOf(loopback4, linkLocal4, fixed);
    }

    @Provide
    Arbitrary<String> urlForms() {
        return Arbitraries.of("https://%s/team/app.git", "http://%s:8080/app.git", "ssh://git@%s/app.git", "git://%s/app.git",
                "http://user@%s/app.git", "HTTPS://%s/app");
    }

    @Property(tries = 300)
    void localAddressesAreRefusedInEveryUrlForm(@ForAll("localHosts") String host, @ForAll("urlForms") String form) {
        String url = form.formatted(host);
        assertThat(SourceUrlPolicy.NO_LOCAL.problem(url)).as(url).hasValueSatisfying(p -> assertThat(p)
                .contains("does not fetch from", "--source-url-policy any"));
        assertThat(SourceUrlPolicy.ANY.problem(url)).as(url).isEmpty();
    }

    @Provide
    Arbitrary<String> otherHosts() {
        Arbitrary<Integer> octet = Arbitraries.integers().between(1, 254);
        Arbitrary<String> privateRange = Combinators.combine(octet, octet, octet).as((a, b, c) -> "10." + a + "." + b + "." + c);
        Arbitrary<String> publicRange = Combinators.combine(octet, octet, octet).as((a, b, c) -> "93." + a + "." + b + "." + c);
        return Arbitraries.oneOf(privateRange, publicRange, Arbitraries.of("[2001:db8::1]", "192.0.2.7"));
    }

    @Property(tries = 200)
    void otherAddressesArePassedOnToTheFetch(@ForAll("otherHosts") String host, @ForAll("urlForms") String form) {
        String url = form.formatted(host);
        assertThat(SourceUrlPolicy.NO_LOCAL.problem(url)).as(url).isEmpty();
    }

    @Test
    void theScpLikeFormAndThisMachinesOwnAddressesAreLocalToo() throws Exception {
        assertThat(SourceUrlPolicy.NO_LOCAL.problem("git@localhost:team/app.git")).isPresent();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (var address : Collections.list(nic.getInetAddresses())) {
                String host = address.getHostAddress().replaceAll("%.*", "");
                String url = "https://" + (host.contains(":") ? "[" + host + "]" : host) + "/app.git";
                assertThat(SourceUrlPolicy.NO_LOCAL.problem(url)).as(url).isPresent();
            }
        }
    }

    @Test
    void localPathsAndUnresolvableNamesAreNotThisPolicys() {
        assertThat(SourceUrlPolicy.NO_LOCAL.problem("/srv/app")).isEmpty();
        assertThat(SourceUrlPolicy.NO_LOCAL.problem("file:///srv/app")).isEmpty();
        assertThat(SourceUrlPolicy.NO_LOCAL.problem("https://no-such-host.invalid/app.git")).isEmpty();
    }

    @Test
    void policiesAreNamedAsTheFlagTakesThem() {
        assertThat(SourceUrlPolicy.parse("no-local")).isEqualTo(SourceUrlPolicy.NO_LOCAL);
        assertThat(SourceUrlPolicy.parse("ANY")).isEqualTo(SourceUrlPolicy.ANY);
        assertThatThrownBy(() -> SourceUrlPolicy.parse("loopback")).hasMessageContaining("'no-local' or 'any'");
    }
}
