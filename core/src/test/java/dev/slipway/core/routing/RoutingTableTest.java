package dev.slipway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Routes by host, least outstanding requests, and drains that wait for requests in flight. */
class RoutingTableTest {
    private final RoutingTable table = new RoutingTable();
    private final Endpoint a = new Endpoint("a", "127.0.0.1", 1001);
    private final Endpoint b = new Endpoint("b", "127.0.0.1", 1002);

    @Test
    void hostsMatchWithoutPortOrCase() {
        table.put("Svc-1a2b3c.localhost", Optional.of(Route.serving("svc", List.of(a))));
        assertThat(table.route("svc-1A2B3C.LOCALHOST:9080")).isPresent();
        assertThat(table.route("svc-1a2b3c.localhost.")).isPresent();
        assertThat(table.route("other.localhost")).isEmpty();
    }

    @Test
    void leasesGoToTheEndpointWithFewestRequestsInFlight() {
        table.put("svc.localhost", Optional.of(Route.serving("svc", List.of(a, b))));
        RoutingTable.Lease first = table.acquire("svc.localhost").orElseThrow();
        RoutingTable.Lease second = table.acquire("svc.localhost").orElseThrow();
        assertThat(List.of(first.endpoint(), second.endpoint())).containsExactlyInAnyOrder(a, b);
        first.release();
        assertThat(table.acquire("svc.localhost").orElseThrow().endpoint()).isEqualTo(first.endpoint());
    }

    @Test
    void pausedOrEmptyRoutesGiveNoLease() {
        table.put("p.localhost", Optional.of(Route.paused("p")));
        table.put("e.localhost", Optional.of(Route.serving("e", List.of())));
        assertThat(table.acquire("p.localhost")).isEmpty();
        assertThat(table.acquire("e.localhost")).isEmpty();
        assertThat(table.route("p.localhost").orElseThrow().message()).contains("paused");
    }

    @Test
    void drainWaitsForLeasesTakenBeforeTheSwitch() throws Exception {
        table.put("svc.localhost", Optional.of(Route.serving("svc", List.of(a))));
        RoutingTable.Lease inFlight = table.acquire("svc.localhost").orElseThrow();
        table.put("svc.localhost", Optional.of(Route.serving("svc", List.of(b))));

        assertThat(table.awaitIdle(List.of("a"), Duration.ofMillis(50))).isFalse();
        assertThat(table.acquire("svc.localhost").orElseThrow().endpoint()).isEqualTo(b);
        inFlight.release();
        inFlight.release();
        assertThat(table.inFlight("a")).isZero();
        assertThat(table.awaitIdle(List.of("a"), Duration.ofMillis(50))).isTrue();
    }
}
