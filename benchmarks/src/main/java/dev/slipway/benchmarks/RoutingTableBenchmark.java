package dev.slipway.benchmarks;

import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.routing.RoutingView;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The router's routing decision per request: lease the least loaded instance under MaxConcurrency, record the status,
 * release (with the service's meters), one thread and four threads at once (contention on the same counters), next to
 * the bare cost of one shared counter taken and given back.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RoutingTableBenchmark {
    private static final String HOST = "svc-abc123.localhost:9080";
    private RoutingTable table;
    private final AtomicInteger counter = new AtomicInteger();

    @Setup
    public void setUp() {
        table = new RoutingTable(new SimpleMeterRegistry());
        List<Endpoint> endpoints = List.of(new Endpoint("i-1", "127.0.0.1", 8001), new Endpoint("i-2", "127.0.0.1", 8002),
                new Endpoint("i-3", "127.0.0.1", 8003), new Endpoint("i-4", "127.0.0.1", 8004));
        table.put("svc-abc123.localhost", Optional.of(Route.serving("svc-id", "svc", endpoints, 100)));
    }

    @Benchmark
    @Threads(1)
    public void acquireRelease1Thread() {
        acquireRelease();
    }

    @Benchmark
    @Threads(4)
    public void acquireRelease4Threads() {
        acquireRelease();
    }

    @Benchmark
    @Threads(1)
    public int sharedCounterBaseline() {
        counter.incrementAndGet();
        return counter.decrementAndGet();
    }

    private void acquireRelease() {
        RoutingView.Acquisition acquired = table.acquire(HOST);
        RoutingView.Lease lease = ((RoutingView.Acquisition.Leased) acquired).lease();
        lease.answered(200);
        lease.release();
    }
}
