package dev.slipway.core.internal.routing;

import dev.slipway.core.routing.Admission;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.routing.RoutingView;
import dev.slipway.core.routing.ServiceConcurrency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.routing.RoutingView.Acquisition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Admission: at most MaxConcurrency per instance, a bounded FIFO queue per service, shedding counted, demand sampled. */
class AdmissionTest {
    private static final String HOST = "svc.localhost";
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RoutingTable table = new RoutingTable(meters, new Admission(3, Duration.ofSeconds(5)));
    private final Endpoint a = new Endpoint("a", "127.0.0.1", 1001);
    private final Endpoint b = new Endpoint("b", "127.0.0.1", 1002);

    @Test
    void beyondMaxConcurrencyRequestsWaitAndAreServedInArrivalOrderAsCapacityFrees() {
        table.put(HOST, Optional.of(Route.serving("svc-id", "svc", List.of(a), 2)));
        RoutingView.Lease one = leased(table.acquire(HOST));
        RoutingView.Lease two = leased(table.acquire(HOST));
        List<String> order = new ArrayList<>();
        List<RoutingView.Lease> granted = new ArrayList<>();
        for (String name : List.of("first", "second", "third")) {
            Acquisition queued = table.acquire(HOST);
            assertThat(queued).isInstanceOf(Acquisition.Queued.class);
            ((Acquisition.Queued) queued).waiter().whenDecided(d -> {
                order.add(name);
                granted.add(leased(d));
            });
        }
        assertThat(table.inFlight("a")).isEqualTo(2);
        assertThat(table.sampleConcurrency("svc-id")).isEqualTo(new ServiceConcurrency(2, 3, 5));
        assertThat(meters.get("apprunner.QueuedRequests").gauge().value()).isEqualTo(3);

        one.release();
        assertThat(order).containsExactly("first");
        assertThat(table.inFlight("a")).isEqualTo(2);
        two.release();
        granted.get(0).release();
        assertThat(order).containsExactly("first", "second", "third");
        assertThat(table.inFlight("a")).isEqualTo(2);
        assertThat(meters.get("apprunner.QueuedRequests").gauge().value()).isZero();
    }

    @Test
    void aNewRequestDoesNotOvertakeOnesAlreadyWaiting() {
        RoutingView.Lease one = busyInstance();
        Waiting waiting = waiting();

        one.release();

        assertThat(waiting.decided().get()).isInstanceOf(Acquisition.Leased.class);
        assertThat(table.acquire(HOST)).isInstanceOf(Acquisition.Queued.class);
    }

    @Test
    void aFullQueueShedsAndCountsIt() {
        busyInstance();
        for (int i = 0; i < 3; i++) {
            assertThat(table.acquire(HOST)).isInstanceOf(Acquisition.Queued.class);
        }

        Acquisition shed = table.acquire(HOST);

        assertThat(shed).isInstanceOfSatisfying(Acquisition.Saturated.class, s -> assertThat(s.route().serviceName()).isEqualTo("svc"));
        assertThat(meters.get("apprunner.ShedRequests").counter().count()).isEqualTo(1);
        assertThat(meters.get("apprunner.5xxStatusResponses").counter().count()).isEqualTo(1);
    }

    @Test
    void aRequestThatGivesUpIsShedAndTakesNoCapacity() {
        RoutingView.Lease one = busyInstance();
        Waiting waiting = waiting();

        assertThat(waiting.waiter().giveUp()).isTrue();
        one.release();

        assertThat(waiting.decided().get()).isNull();
        assertThat(table.inFlight("a")).isZero();
        assertThat(meters.get("apprunner.ShedRequests").counter().count()).isEqualTo(1);
        assertThat(waiting.waiter().giveUp()).as("only once").isFalse();
    }

    @Test
    void aGrantedRequestCannotGiveUp() {
        RoutingView.Lease one = busyInstance();
        Acquisition.Queued waiting = (Acquisition.Queued) table.acquire(HOST);
        one.release();

        assertThat(waiting.waiter().giveUp()).isFalse();
        AtomicReference<Acquisition> decided = new AtomicReference<>();
        waiting.waiter().whenDecided(decided::set);
        assertThat(decided.get()).isInstanceOf(Acquisition.Leased.class);
        assertThat(meters.get("apprunner.ShedRequests").counter().count()).isZero();
    }

    @Test
    void aNewInstanceTakesWaitingRequestsAtOnce() {
        busyInstance();
        Waiting waiting = waiting();

        table.put(HOST, Optional.of(Route.serving("svc-id", "svc", List.of(a, b), 1)));

        assertThat(leased(waiting.decided().get()).endpoint()).isEqualTo(b);
    }

    @Test
    void waitingRequestsOfARouteThatStopsServingAreToldWhy() {
        busyInstance();
        Waiting waiting = waiting();

        table.put(HOST, Optional.of(Route.paused("svc-id", "svc")));

        assertThat(waiting.decided().get()).isInstanceOfSatisfying(Acquisition.NoRoute.class,
                n -> assertThat(n.route().orElseThrow().message()).contains("paused"));
    }

    @Test
    void underContentionNoInstanceEverHoldsMoreThanMaxConcurrencyAndEveryRequestIsDecided() throws Exception {
        RoutingTable contended = new RoutingTable(meters, new Admission(100_000, Duration.ofSeconds(5)));
        int max = 3;
        contended.put(HOST, Optional.of(Route.serving("svc-id", "svc", List.of(a, b), max)));
        AtomicInteger overLimit = new AtomicInteger();
        ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
        int threads = 4;
        int perThread = 5_000;
        CountDownLatch served = new CountDownLatch(threads * perThread);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Runnable check = () -> {
            if (contended.inFlight("a") > max || contended.inFlight("b") > max) {
                overLimit.incrementAndGet();
            }
        };
        AtomicInteger notLeased = new AtomicInteger();
        java.util.function.Consumer<Acquisition> serve = d -> {
            if (!(d instanceof Acquisition.Leased)) {
                notLeased.incrementAndGet();
                served.countDown();
                return;
            }
            RoutingView.Lease lease = ((Acquisition.Leased) d).lease();
            check.run();
            held.add(() -> {
                lease.release();
                served.countDown();
            });
        };
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    Acquisition acquired = contended.acquire(HOST);
                    if (acquired instanceof Acquisition.Queued q) {
                        q.waiter().whenDecided(serve);
                    } else {
                        serve.accept(acquired);
                    }
                    if (ThreadLocalRandom.current().nextBoolean()) {
                        Runnable r = held.poll();
                        if (r != null) {
                            r.run();
                        }
                    }
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        Runnable r;
        while (served.getCount() > 0 && (r = held.poll()) != null) {
            r.run();
        }
        assertThat(served.getCount()).isZero();
        assertThat(notLeased.get()).as("requests not leased").isZero();
        assertThat(overLimit.get()).isZero();
        assertThat(contended.inFlight("a") + contended.inFlight("b")).isZero();
        assertThat(contended.sampleConcurrency("svc-id").queued()).isZero();
    }

    /** One instance serving MaxConcurrency 1, with that one request in flight: the next request waits. */
    private RoutingView.Lease busyInstance() {
        table.put(HOST, Optional.of(Route.serving("svc-id", "svc", List.of(a), 1)));
        return leased(table.acquire(HOST));
    }

    /** A request that waits, and what it is decided (null until then). */
    private record Waiting(RoutingView.Waiter waiter, AtomicReference<Acquisition> decided) {
    }

    private Waiting waiting() {
        Acquisition acquired = table.acquire(HOST);
        assertThat(acquired).isInstanceOf(Acquisition.Queued.class);
        Waiting waiting = new Waiting(((Acquisition.Queued) acquired).waiter(), new AtomicReference<>());
        waiting.waiter().whenDecided(waiting.decided()::set);
        return waiting;
    }

    private static RoutingView.Lease leased(Acquisition acquired) {
        assertThat(acquired).isInstanceOf(Acquisition.Leased.class);
        return ((Acquisition.Leased) acquired).lease();
    }
}
