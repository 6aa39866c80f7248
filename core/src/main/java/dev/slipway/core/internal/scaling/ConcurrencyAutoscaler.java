package dev.slipway.core.internal.scaling;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How many instances a service wants, from the concurrency the router observes: a pure decision (the clock is an
 * argument, nothing runs by itself), in the shape of Knative Serving's KPA.
 *
 * <ul>
 *   <li>Each {@link #record} is the service's concurrency at one moment: requests in flight plus requests queued,
 *       summed over its instances.</li>
 *   <li>{@link #desired} averages the samples of the stable window (60 s) and of the panic window (6 s) and turns each
 *       into instances: ceil(concurrency / (MaxConcurrency x target utilisation)).</li>
 *   <li>Panic: when the panic window asks for at least {@code panicThreshold} (2x) the ready instances, the panic
 *       window's count is used at once, and the count never goes down while panicking; panic ends a stable window after
 *       it was last triggered.</li>
 *   <li>Going down is slow: never below ready / {@code maxScaleDownRate} (2) in one decision, and only once every
 *       recommendation of the last {@code scaleDownDelay} (30 s) was that low (the count is the highest of them).</li>
 *   <li>The result is always within MinSize..MaxSize.</li>
 * </ul>
 */
public final class ConcurrencyAutoscaler {
    /** The knobs, with Knative's defaults beside App Runner's MinSize, MaxSize and MaxConcurrency. */
    public record Settings(int minSize, int maxSize, int maxConcurrency, double targetUtilization, Duration stableWindow,
                           Duration panicWindow, double panicThreshold, double maxScaleDownRate, Duration scaleDownDelay) {
        public Settings {
            if (minSize < 0 || maxSize < Math.max(1, minSize) || maxConcurrency < 1 || targetUtilization <= 0 || targetUtilization > 1) {
                throw new IllegalArgumentException("invalid autoscaler settings: min " + minSize + ", max " + maxSize
                        + ", max concurrency " + maxConcurrency + ", target utilisation " + targetUtilization);
            }
        }

        /** An auto scaling configuration's MinSize, MaxSize and MaxConcurrency, with target utilisation 0.7. */
        public static Settings of(int minSize, int maxSize, int maxConcurrency) {
            return new Settings(minSize, maxSize, maxConcurrency, 0.7, Duration.ofSeconds(60), Duration.ofSeconds(6), 2.0, 2.0,
                    Duration.ofSeconds(30));
        }

        /** The concurrency one instance is meant to carry. */
        double perInstance() {
            return maxConcurrency * targetUtilization;
        }
    }

    private record Sample(Instant at, double concurrency) {
    }

    private final Settings settings;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private final Deque<Sample> recommendations = new ArrayDeque<>();
    private Instant panicTriggered;
    private int panicFloor;

    public ConcurrencyAutoscaler(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** The concurrency observed at {@code now} (requests in flight and queued, over all instances). */
    public void record(Instant now, double concurrency) {
        samples.addLast(new Sample(now, Math.max(0, concurrency)));
        dropOlder(samples, now.minus(settings.stableWindow()));
    }

    /** Whether the last decision was made in panic mode. */
    public boolean panicking() {
        return panicTriggered != null;
    }

    /** The number of instances wanted at {@code now}, with {@code ready} instances serving. */
    public int desired(Instant now, int ready) {
        dropOlder(samples, now.minus(settings.stableWindow()));
        if (samples.isEmpty()) {
            return clamp(Math.max(ready, settings.minSize()));
        }
        int stable = instancesFor(average(now.minus(settings.stableWindow())));
        int panic = instancesFor(average(now.minus(settings.panicWindow())));
        if (panic >= settings.panicThreshold() * Math.max(ready, 1) && panic > ready) {
            if (panicTriggered == null) {
                panicFloor = ready;
            }
            panicTriggered = now;
        } else if (panicTriggered != null && !now.isBefore(panicTriggered.plus(settings.stableWindow()))) {
            panicTriggered = null;
        }
        int want;
        if (panicTriggered != null) {
            want = Math.max(panic, panicFloor); // up at once, never down while panicking
            panicFloor = want;
        } else {
            want = Math.max(stable, (int) Math.ceil(ready / settings.maxScaleDownRate()));
        }
        recommendations.addLast(new Sample(now, want));
        dropOlder(recommendations, now.minus(settings.scaleDownDelay()));
        int delayed = (int) recommendations.stream().mapToDouble(Sample::concurrency).max().orElse(want);
        return clamp(delayed);
    }

    private int instancesFor(double concurrency) {
        return (int) Math.ceil(concurrency / settings.perInstance() - 1e-9);
    }

    private double average(Instant since) {
        return samples.stream().filter(s -> !s.at().isBefore(since)).mapToDouble(Sample::concurrency).average().orElse(0);
    }

    private int clamp(int n) {
        return Math.max(settings.minSize(), Math.min(settings.maxSize(), n));
    }

    private static void dropOlder(Deque<Sample> deque, Instant oldest) {
        while (!deque.isEmpty() && deque.peekFirst().at().isBefore(oldest)) {
            deque.removeFirst();
        }
    }
}
