package dev.slipway.core.internal.control;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * The work done over all services at intervals: instances' CPU and memory sampled into the meters every 5 s, and the
 * autoscaler's rounds (every 2 s if autoscaling is on, its windows read on {@code clock}).
 */
public final class Sampling implements AutoCloseable {
    private final UsageSampler usage;
    private final AutoscalerDriver autoscaler;

    public Sampling(ServiceActions services, boolean autoscaling, MeterRegistry meters, Clock clock) {
        ServiceRuntime runtime = services.runtime();
        this.usage = new UsageSampler(runtime.backend(), runtime.routing(), meters, Duration.ofSeconds(5));
        this.autoscaler = new AutoscalerDriver(services, runtime.routing(), runtime.logs(), clock, runtime.idleBeforeZero(), meters);
        if (autoscaling) {
            autoscaler.every(Duration.ofSeconds(2));
        }
    }

    /** One autoscaler round now (what the 2 s timer does), for tests that move the clock themselves. */
    public void autoscaleNow() {
        autoscaler.tick();
    }

    @Override
    public void close() {
        usage.close();
        autoscaler.close();
    }
}
