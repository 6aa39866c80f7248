package dev.slipway.core.internal.control;

import dev.slipway.core.internal.runtime.HealthProbes;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceUsage;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples what each serving instance uses, where the backend reports it ({@link ComputeBackend#usage}: Docker's stats,
 * a pod's metrics), on a thread of its own (a sample may take a second), and publishes it per instance (tags
 * {@code service}, {@code instance}) as App Runner's CloudWatch metrics are named: {@code apprunner.CPUUtilization}
 * (percent of one vCPU: 100 is one whole vCPU busy) and {@code apprunner.MemoryUtilization} (percent of the instance's
 * memory limit). Instances that left the routes lose their meters at the next sample.
 */
public final class UsageSampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UsageSampler.class);

    private final ComputeBackend backend;
    private final RoutingTable routing;
    private final MeterRegistry meters;
    private final Map<String, Sampled> sampled = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(HealthProbes.named("slipway-usage"));

    public UsageSampler(ComputeBackend backend, RoutingTable routing, MeterRegistry meters, Duration every) {
        this.backend = backend;
        this.routing = routing;
        this.meters = meters;
        ticks.scheduleWithFixedDelay(this::sample, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sample() {
        try {
            Set<String> seen = new HashSet<>();
            for (Route route : Set.copyOf(routing.snapshot().routes().values())) {
                for (Endpoint e : route.endpoints()) {
                    if (!seen.add(e.instanceId())) {
                        continue;
                    }
                    Optional<InstanceUsage> usage = backend.usage(new Handle(e.instanceId(), e.host(), e.port()));
                    if (usage.isEmpty()) {
                        seen.remove(e.instanceId());
                        continue;
                    }
                    sampled.computeIfAbsent(e.instanceId(), id -> new Sampled(route.serviceName(), id)).usage = usage.get();
                }
            }
            sampled.entrySet().removeIf(s -> {
                boolean gone = !seen.contains(s.getKey());
                if (gone) {
                    s.getValue().meters.forEach(meters::remove);
                }
                return gone;
            });
        } catch (RuntimeException e) {
            LOG.warn("sampling the instances' CPU and memory failed; trying again at the next sample", e);
        }
    }

    @Override
    public void close() {
        ticks.shutdownNow();
    }

    private record Handle(String instanceId, String host, int port) implements InstanceHandle {
    }

    /** One instance's latest usage and the gauges that read it. */
    private final class Sampled {
        volatile InstanceUsage usage;
        final List<Meter> meters;

        Sampled(String service, String instanceId) {
            Tags tags = Tags.of("service", service, "instance", instanceId);
            meters = List.of(
                    Gauge.builder("apprunner.CPUUtilization", this, s -> s.usage.cpu() * 100).tags(tags).baseUnit("percent")
                            .description("Percent of one vCPU the instance uses").register(UsageSampler.this.meters),
                    Gauge.builder("apprunner.MemoryUtilization", this, s -> s.usage.memoryLimitBytes() > 0
                                    ? 100.0 * s.usage.memoryBytes() / s.usage.memoryLimitBytes() : Double.NaN)
                            .tags(tags).baseUnit("percent").description("Percent of its memory limit the instance uses")
                            .register(UsageSampler.this.meters));
        }
    }
}
