package dev.slipway.core.internal.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.internal.deploy.Rollout;
import dev.slipway.core.routing.RoutingSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The {@code slipway:} tags a service's extensions are set with: every value is either refused with the tag's name and
 * rule, or means what the docs say; generated well-formed, lenient and bad values alike.
 */
class ServiceExtensionsTest {
    private static final String HOST = "shop-1a2b3c.localhost";

    @Property
    void trafficStepsAreGrowingPercentagesThatEndAtAllOfIt(@ForAll @Size(min = 1, max = 6) List<@IntRange(min = -20, max = 130) Integer> steps,
                                                           @ForAll("separators") String separator) {
        String value = steps.stream().map(String::valueOf).collect(Collectors.joining(separator));
        boolean valid = steps.stream().allMatch(p -> p >= 0 && p <= 100) && increasing(steps);
        if (!valid) {
            assertThatThrownBy(() -> ServiceExtensions.check(Map.of("slipway:traffic-steps", value), HOST))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("slipway:traffic-steps").hasMessageContaining(value);
            return;
        }
        ServiceExtensions.check(Map.of("slipway:traffic-steps", value), HOST);
        Rollout r = ServiceExtensions.rollout(Map.of("slipway:traffic-steps", value), HOST);
        assertThat(r.steps()).startsWith(steps.toArray(Integer[]::new)).last().isEqualTo(100);
        assertThat(increasing(r.steps())).isTrue();
        assertThat(r.progressive()).isEqualTo(r.steps().size() > 1);
    }

    @Provide
    Arbitrary<String> separators() {
        return Arbitraries.of(",", ", ", " , ");
    }

    @Property
    void aRevisionTagIsAHostLabelThatFitsBesideTheServicesOwn(@ForAll("tags") String tag) {
        boolean valid = tag.matches("[a-z]([a-z0-9-]*[a-z0-9])?") && !tag.contains("--") && tag.length() + 2 + "shop-1a2b3c".length() <= 63;
        if (!valid) {
            assertThatThrownBy(() -> ServiceExtensions.check(Map.of("slipway:revision-tag", tag), HOST))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("slipway:revision-tag")
                    .hasMessageContaining("<tag>--" + HOST);
            return;
        }
        ServiceExtensions.check(Map.of("slipway:revision-tag", tag), HOST);
        assertThat(ServiceExtensions.rollout(Map.of("slipway:revision-tag", tag), HOST).tag()).contains(tag);
        assertThat(RoutingSnapshot.normalizeHost(tag + "--" + HOST)).isEqualTo(tag + "--" + HOST);
    }

    @Provide
    Arbitrary<String> tags() {
        return Arbitraries.oneOf(Arbitraries.strings().withChars("abz09-").ofMinLength(0).ofMaxLength(60),
                Arbitraries.strings().ofMinLength(0).ofMaxLength(10), Arbitraries.of("canary", "green", "v2", "Preview", "a--b", "-x", "x-"));
    }

    @Property
    void switchesAreTrueOrFalseInAnyCase(@ForAll("switches") String value) {
        boolean valid = value.trim().equalsIgnoreCase("true") || value.trim().equalsIgnoreCase("false");
        for (String key : List.of("slipway:http2", "slipway:https-redirect")) {
            if (valid) {
                ServiceExtensions.check(Map.of(key, value), HOST);
            } else {
                assertThatThrownBy(() -> ServiceExtensions.check(Map.of(key, value), HOST))
                        .isInstanceOf(InvalidRequestException.class).hasMessageContaining(key).hasMessageContaining("true or false");
            }
        }
    }

    @Provide
    Arbitrary<String> switches() {
        return Arbitraries.oneOf(Arbitraries.of("true", "FALSE", " True ", "yes", "1", "", "on"), Arbitraries.strings().ofMaxLength(6));
    }

    @Property
    void secondsAndPercentagesHaveTheirRanges(@ForAll @IntRange(min = -5, max = 90_000) int n) {
        check("slipway:traffic-step-seconds", n, n >= 1 && n <= 86_400);
        check("slipway:rollback-5xx-percent", n, n >= 0 && n <= 100);
    }

    private static void check(String key, int n, boolean valid) {
        if (valid) {
            ServiceExtensions.check(Map.of(key, Integer.toString(n)), HOST);
        } else {
            assertThatThrownBy(() -> ServiceExtensions.check(Map.of(key, Integer.toString(n)), HOST))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining(key);
        }
    }

    @Test
    void unknownSlipwayTagsAreRefusedOthersAreLeftAlone() {
        assertThatThrownBy(() -> ServiceExtensions.check(Map.of("slipway:trafic-steps", "10"), HOST))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("slipway:trafic-steps is not a Slipway extension")
                .hasMessageContaining("slipway:traffic-steps");
        ServiceExtensions.check(Map.of("team", "anything at all", "aws-ish:key", ""), HOST);
    }

    @Test
    void withoutTagsADeploymentSwitchesAtOnceAndTheDefaultsHold() {
        Rollout none = ServiceExtensions.rollout(Map.of(), HOST);
        assertThat(none.progressive()).isFalse();
        assertThat(none.tag()).isEmpty();
        Rollout stepped = ServiceExtensions.rollout(Map.of("slipway:traffic-steps", "25"), HOST);
        assertThat(stepped.steps()).containsExactly(25, 100);
        assertThat(stepped.pause()).isEqualTo(Duration.ofSeconds(60));
        assertThat(stepped.max5xxPercent()).isEqualTo(5);
    }

    private static boolean increasing(List<Integer> steps) {
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i) <= steps.get(i - 1)) {
                return false;
            }
        }
        return true;
    }
}
