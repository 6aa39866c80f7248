package dev.slipway.core.internal.routing;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.ObjLongConsumer;

/**
 * What the routing table tells the rest of Slipway beside its routes: instances evicted after a timed-out drain (the
 * routers close what they still hold on them), services scaled to zero that a request is waiting for (the control
 * plane starts an instance), and those serving again, with how long their first request waited (the cold start).
 */
final class RoutingSignals {
    private final List<Consumer<Collection<String>>> evicted = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> wake = new CopyOnWriteArrayList<>();
    private final List<ObjLongConsumer<String>> woken = new CopyOnWriteArrayList<>();
    /** Services scaled to zero that a request is waiting for, and when the first of those requests arrived. */
    private final Map<String, Long> waitingSince = new ConcurrentHashMap<>();

    void onEvicted(Consumer<Collection<String>> listener) {
        evicted.add(listener);
    }

    void onWake(Consumer<String> listener) {
        wake.add(listener);
    }

    void onWoken(ObjLongConsumer<String> listener) {
        woken.add(listener);
    }

    void evict(Collection<String> instanceIds) {
        evicted.forEach(l -> l.accept(instanceIds));
    }

    /** A request for a service scaled to zero arrived at {@code nanos} and waits. */
    void wake(String serviceId, long nanos) {
        waitingSince.putIfAbsent(serviceId, nanos);
        wake.forEach(l -> l.accept(serviceId));
    }

    /** The service serves (again): if requests waited for it, its cold start ends now. */
    void serving(String serviceId, String serviceName) {
        Long since = waitingSince.remove(serviceId);
        if (since != null) {
            long waited = System.nanoTime() - since;
            woken.forEach(l -> l.accept(serviceName, waited));
        }
    }
}
