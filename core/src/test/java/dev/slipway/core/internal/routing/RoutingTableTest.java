package dev.slipway.core.internal.routing;

import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.routing.RoutingView;
import dev.slipway.core.routing.ServiceConcurrency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.routing.RoutingView.Acquisition;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Routes by host, least outstanding requests, drains that wait for requests in flight, concurrency samples. */
class RoutingTableTest {
    private final RoutingTable table = new RoutingTable();
    private final Endpoint a = new Endpoint("a", "127.0.0.1", 1001);
    private final Endpoint b = new Endpoint("b", "127.0.0.1", 1002);

    @Test
    void hostsMatchWithoutPortOrCase() {
        table.put("Svc-1a2b3c.localhost", Optional.of(Route.serving("svc-id", "svc", List.of(a), 100)));
        assertThat(table.route("svc-1A2B3C.LOCALHOST:9080")).isPresent();
        assertThat(table.route("svc-1a2b3c.localhost.")).isPresent();
        assertThat(table.route("other.localhost")).isEmpty();
        assertThat(table.route("[::1]:9080")).isEmpty();
    }

    @Test
    void hostValuesThatAreNotHostAndPortAreRefused() {
        for (String bad : List.of("a b", "[", "%zz", "", " ", "svc.localhost:99999", "svc.localhost:x", "a/b", "-x.localhost")) {
            assertThatThrownBy(() -> table.route(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void leasesGoToTheEndpointWithFewestRequestsInFlight() {
        table.put("svc.localhost", Optional.of(Route.serving("svc-id", "svc", List.of(a, b), 100)));
        RoutingView.Lease first = lease("svc.localhost");
        RoutingView.Lease second = lease("svc.localhost");
        assertThat(List.of(first.endpoint(), second.endpoint())).containsExactlyInAnyOrder(a, b);
        first.release();
        assertThat(lease("svc.localhost").endpoint()).isEqualTo(first.endpoint());
    }

    @Test
    void aSplitSendsTheNewRevisionItsShareUntilItsFailuresPassTheAllowedShare() {
        Route split = Route.serving("svc-id", "svc", List.of(a, b), 100).splitting(new Route.Split("r2", java.util.Set.of("b"), 30, 5));
        table.put("svc.localhost", Optional.of(split));
        int toNew = 0;
        for (int i = 0; i < 2000; i++) {
            RoutingView.Lease l = lease("svc.localhost");
            toNew += l.endpoint().equals(b) ? 1 : 0;
            l.answered(200);
            l.release();
        }
        assertThat(toNew).as("30 %% of 2000: mean 600, standard deviation 20.5").isBetween(497, 703);
        assertThat(table.canaryFailure("svc-id", "r2")).isEmpty();

        int failures = 0;
        while (table.canaryFailure("svc-id", "r2").isEmpty()) { // every answer of the new revision is now a 500
            RoutingView.Lease l = lease("svc.localhost");
            boolean fresh = l.endpoint().equals(b);
            failures += fresh ? 1 : 0;
            l.answered(fresh ? 500 : 200);
            l.release();
        }
        // 5 % of the new revision's requests (600 or so) are allowed: the next one over that cuts it off
        assertThat(failures).as("the first f with 100 f > 5 (%d + f)", toNew).isEqualTo(toNew / 19 + 1);
        assertThat(table.canaryFailure("svc-id", "r2").orElseThrow()).contains("revision r2 answered " + failures + " of its")
                .contains("more than 5 %").contains("30 % of the traffic");
        for (int i = 0; i < 200; i++) {
            RoutingView.Lease l = lease("svc.localhost");
            assertThat(l.endpoint()).as("no request for a revision cut off").isEqualTo(a);
            l.release();
        }
        assertThat(table.canaryFailure("svc-id", "r3")).as("another revision's split starts afresh").isEmpty();
    }

    @Test
    void unknownHostsAndPausedOrEmptyRoutesAreNoRouteWithTheRouteToExplainIt() {
        table.put("p.localhost", Optional.of(Route.paused("p-id", "p")));
        table.put("e.localhost", Optional.of(Route.serving("e-id", "e", List.of(), 100)));
        assertThat(table.acquire("p.localhost")).isInstanceOfSatisfying(Acquisition.NoRoute.class,
                n -> assertThat(n.route().orElseThrow().message()).contains("paused"));
        assertThat(table.acquire("e.localhost")).isInstanceOfSatisfying(Acquisition.NoRoute.class,
                n -> assertThat(n.route().orElseThrow().message()).contains("no healthy instance"));
        assertThat(table.acquire("nobody.localhost")).isEqualTo(new Acquisition.NoRoute(Optional.empty()));
    }

    @Test
    void drainWaitsForLeasesTakenBeforeTheSwitch() throws Exception {
        table.put("svc.localhost", Optional.of(Route.serving("svc-id", "svc", List.of(a), 100)));
        RoutingView.Lease inFlight = lease("svc.localhost");
        table.put("svc.localhost", Optional.of(Route.serving("svc-id", "svc", List.of(b), 100)));

        assertThat(table.awaitIdle(List.of("a"), Duration.ofMillis(50))).isFalse();
        assertThat(lease("svc.localhost").endpoint()).isEqualTo(b);
        inFlight.release();
        inFlight.release();
        assertThat(table.inFlight("a")).isZero();
        assertThat(table.awaitIdle(List.of("a"), Duration.ofMillis(50))).isTrue();
    }

    @Test
    void closeAllAnswersEveryHostWithTheMessageAndLeasesNothingMore() throws Exception {
        table.put("svc.localhost", Optional.of(Route.serving("svc-id", "svc", List.of(a), 100)));
        RoutingView.Lease inFlight = lease("svc.localhost");

        table.closeAll("Slipway is stopping.");

        assertThat(table.acquire("svc.localhost")).isInstanceOfSatisfying(Acquisition.NoRoute.class,
                n -> assertThat(n.route().orElseThrow().message()).isEqualTo("Slipway is stopping."));
        assertThat(table.awaitAllIdle(Duration.ofMillis(50))).isFalse();
        inFlight.release();
        assertThat(table.awaitAllIdle(Duration.ofMillis(50))).isTrue();
    }

    @Test
    void concurrencySamplesCountRequestsInFlightPerServiceAndTheirPeak() {
        table.put("svc.localhost", Optional.of(Route.serving("svc-id", "svc", List.of(a, b), 100)));
        RoutingView.Lease one = lease("svc.localhost");
        RoutingView.Lease two = lease("svc.localhost");
        RoutingView.Lease three = lease("svc.localhost");
        one.release();
        two.release();

        assertThat(table.sampleConcurrency("svc-id")).isEqualTo(new ServiceConcurrency(1, 0, 3));
        assertThat(table.sampleConcurrency("svc-id")).isEqualTo(new ServiceConcurrency(1, 0, 1));
        three.release();
        assertThat(table.sampleConcurrency("svc-id")).isEqualTo(new ServiceConcurrency(0, 0, 1));
        assertThat(table.sampleConcurrency("other")).isEqualTo(new ServiceConcurrency(0, 0, 0));
    }

    private RoutingView.Lease lease(String host) {
        Acquisition acquired = table.acquire(host);
        assertThat(acquired).isInstanceOf(Acquisition.Leased.class);
        return ((Acquisition.Leased) acquired).lease();
    }
}
