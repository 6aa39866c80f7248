package dev.slipway.core.internal.routing;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests in flight to each instance, and the drains that wait for them to end. The request path counts without
 * a lock; a release takes one only while a drain waits ({@link #awaitIdle}).
 */
final class InFlightCounts {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    /** Drains waiting for counters to reach zero; a release wakes them only while there are any. */
    private final AtomicInteger draining = new AtomicInteger();
    private final Object idle = new Object();

    /** The counter of an instance (created at its first request). */
    AtomicInteger counter(String instanceId) {
        return counts.computeIfAbsent(instanceId, k -> new AtomicInteger());
    }

    int get(String instanceId) {
        AtomicInteger c = counts.get(instanceId);
        return c == null ? 0 : c.get();
    }

    /** One request less on an instance; wakes the drains waiting, if any. */
    void decrement(AtomicInteger count) {
        if (count.decrementAndGet() == 0 && draining.get() > 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** Waits until no request is in flight to any of {@code instanceIds}; false if {@code timeout} passed first. */
    boolean awaitIdle(Collection<String> instanceIds, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        draining.incrementAndGet();
        try {
            synchronized (idle) {
                while (instanceIds.stream().anyMatch(id -> get(id) > 0)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(idle, left); // woken by the release that ends a request
                }
                return true;
            }
        } finally {
            draining.decrementAndGet();
        }
    }

    /** The instances counted so far (a live view). */
    Set<String> instances() {
        return counts.keySet();
    }

    void forget(Collection<String> instanceIds) {
        instanceIds.forEach(counts::remove);
    }
}
