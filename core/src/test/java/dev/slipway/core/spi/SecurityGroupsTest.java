package dev.slipway.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Security group rules as the server's --security-group gives them: well-formed, lenient and bad, generated. */
class SecurityGroupsTest {
    @Property
    void aNetworkWithAPortRangeIsOneRule(@ForAll @IntRange(min = 0, max = 255) int a, @ForAll @IntRange(min = -1, max = 40) int prefix,
                                         @ForAll @IntRange(min = -1, max = 70000) int from, @ForAll @IntRange(min = -1, max = 70000) int to) {
        String rule = a + ".0.0.0/" + prefix + ":" + from + "-" + to;
        boolean valid = prefix >= 0 && prefix <= 32 && from >= 1 && from <= 65535 && to >= from && to <= 65535;
        if (valid) {
            assertThat(SecurityGroups.parse("g", rule)).containsExactly(new SecurityGroups.Rule(a + ".0.0.0/" + prefix, from, to));
        } else {
            assertThatThrownBy(() -> SecurityGroups.parse("g", rule)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("security group g").hasMessageContaining(rule);
        }
    }

    @Property
    void anythingElseIsRefusedNamingTheRule(@ForAll("junk") String rule) {
        assertThatThrownBy(() -> SecurityGroups.parse("g", rule)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("security group g");
    }

    @Provide
    Arbitrary<String> junk() {
        return Arbitraries.oneOf(Arbitraries.of("", " ; ", "10.0.0.0/8:", "10.0.0.0/8:x", "db.internal:5432", "::1/128", "10.0.0/8",
                "10.0.0.0/8:5432:1", "300.0.0.0/8"), Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8));
    }

    @Test
    void lenientSpacingAndDefaultsAreTakenAsTheyMean() {
        assertThat(SecurityGroups.parse("g", " 10.1.0.0/16:5432 ; 192.168.1.7 ;")).containsExactly(
                new SecurityGroups.Rule("10.1.0.0/16", 5432, 5432), new SecurityGroups.Rule("192.168.1.7/32", 1, 65535));
        assertThat(SecurityGroups.fromSettings(Map.of("security-group.only-db", "10.1.0.0/16:5432", "docker.network", "x")))
                .containsOnlyKeys("only-db").containsEntry("only-db", List.of(new SecurityGroups.Rule("10.1.0.0/16", 5432, 5432)));
        assertThatThrownBy(() -> SecurityGroups.parse("bad name", "10.0.0.0/8")).hasMessageContaining("security group name 'bad name'");
    }
}
