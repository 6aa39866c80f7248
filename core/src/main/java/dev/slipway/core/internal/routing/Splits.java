package dev.slipway.core.internal.routing;

import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The routing table's side of progressive deployments: which revision of a split route takes a request, and, per
 * service, a guard that counts the new revision's answers and cuts it off once its 5xx pass the split's share.
 */
final class Splits {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Splits.class);
    private final Map<String, Guard> guards = new ConcurrentHashMap<>();

    /**
     * Whether a request goes to the new revision of a split route: with its share's probability, never once its guard
     * tripped; null when only one side has instances (the route serves with what it has).
     */
    static Boolean canary(Route route, Guard guard) {
        boolean fresh = false;
        boolean previous = false;
        for (Endpoint e : route.endpoints()) {
            if (route.split().instanceIds().contains(e.instanceId())) {
                fresh = true;
            } else {
                previous = true;
            }
        }
        if (!previous) {
            return null;
        }
        return fresh && guard.failure == null && ThreadLocalRandom.current().nextInt(100) < route.split().percent();
    }

    /** The guard of a split route's new revision (a new one for each revision split in). */
    Guard guard(Route route) {
        Guard g = guards.get(route.serviceId());
        if (g != null && g.split.revisionId().equals(route.split().revisionId())) {
            g.split = route.split(); // its share may have grown
            return g;
        }
        return guards.compute(route.serviceId(), (k, old) -> old != null && old.split.revisionId().equals(route.split().revisionId())
                ? old : new Guard(route.split(), route.serviceName()));
    }

    /** Why the new revision {@code revisionId} of service {@code serviceId} was cut off, if it was. */
    Optional<String> failure(String serviceId, String revisionId) {
        Guard g = guards.get(serviceId);
        return g == null || !g.split.revisionId().equals(revisionId) ? Optional.empty() : Optional.ofNullable(g.failure);
    }

    /** A deleted service's guard goes. */
    void forget(String serviceId) {
        guards.remove(serviceId);
    }

    /** A split's new revision's answers, counted while the split lasts; its failure once they pass the allowed 5xx share. */
    static final class Guard {
        volatile Route.Split split;
        final String serviceName;
        final AtomicLong requests = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        volatile String failure;

        Guard(Route.Split split, String serviceName) {
            this.split = split;
            this.serviceName = serviceName;
        }

        void answered(int status) {
            long n = requests.incrementAndGet();
            long e = status >= 500 ? errors.incrementAndGet() : errors.get();
            Route.Split s = split;
            if (failure == null && status >= 500 && s.failing(n, e)) {
                failure = "revision " + s.revisionId() + " answered " + e + " of its " + n + " requests with 5xx, more than "
                        + s.max5xxPercent() + " % (judged over at least " + Route.Split.MIN_JUDGED + " requests) while it took "
                        + s.percent() + " % of the traffic";
                LOG.warn("service {}: {}; the router sends it no more requests", serviceName, failure);
            }
        }
    }
}
