package dev.slipway.core.internal.runtime;

import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.observe.LogSink;
import dev.slipway.core.spi.InstanceEvent;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceListener;
import java.util.function.Consumer;

/**
 * An instance as its reconciler observes it: which generation it belongs to, where it is in its life, and its run of
 * health check results. Confined to the reconciler's thread.
 */
final class ObservedInstance {
    /** Where an instance is in its life. */
    enum State { STARTING, HEALTHY, STOPPING }

    /** What one health check result means: check again after a delay, the instance became healthy, or it is unhealthy. */
    record Verdict(Kind kind, long nextCheckMillis) {
        enum Kind { CHECK_AGAIN, HEALTHY, UNHEALTHY }
    }

    final String id;
    final long generation;
    /** What it runs (null for an instance a previous run left that is not kept). */
    final dev.slipway.core.spi.PreparedRevision revision;
    /** It speaks HTTP/2 cleartext (its revision says so). */
    final boolean http2;
    InstanceHandle handle;
    State state = State.STARTING;
    /** Left running by a previous run of the control plane. */
    boolean adopted;
    /** Handed to the stopper: out of the route, draining or stopping. */
    boolean retired;
    /** What the backend reported before its start returned (the loop sees it after). */
    final java.util.List<dev.slipway.core.spi.InstanceEvent> early = new java.util.ArrayList<>();
    private int passes;
    private int failures;

    ObservedInstance(String id, long generation, dev.slipway.core.spi.PreparedRevision revision) {
        this.id = id;
        this.generation = generation;
        this.revision = revision;
        this.http2 = revision != null && revision.http2();
    }

    /**
     * Counts a health check result as the model's HealthCheckConfiguration says: a starting instance needs
     * HealthyThreshold passes in a row (checked every 100 ms until the first, then every Interval, at most 1 s apart);
     * a healthy one turns unhealthy after UnhealthyThreshold failures in a row (checked every Interval).
     */
    Verdict onCheck(boolean ok, HealthCheckConfiguration hc) {
        long interval = hc.interval() * 1000L;
        if (state == State.STARTING) {
            passes = ok ? passes + 1 : 0;
            if (passes >= hc.healthyThreshold()) {
                state = State.HEALTHY;
                return new Verdict(Verdict.Kind.HEALTHY, interval);
            }
            return new Verdict(Verdict.Kind.CHECK_AGAIN, passes > 0 ? Math.min(1000L, interval) : 100);
        }
        failures = ok ? 0 : failures + 1;
        return failures >= hc.unhealthyThreshold() ? new Verdict(Verdict.Kind.UNHEALTHY, interval)
                : new Verdict(Verdict.Kind.CHECK_AGAIN, interval);
    }

    int failures() {
        return failures;
    }

    /** A listener that writes an instance's output to {@code output} and hands its events to {@code events}. */
    static InstanceListener listener(LogSink output, Consumer<InstanceEvent> events) {
        return new InstanceListener() {
            @Override
            public void output(String line) {
                output.line(line);
            }

            @Override
            public void onEvent(InstanceEvent event) {
                events.accept(event);
            }
        };
    }
}
