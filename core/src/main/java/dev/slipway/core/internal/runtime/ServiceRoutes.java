package dev.slipway.core.internal.runtime;

import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a service's instances publish in the routing table, from its reconciler's loop. The service's own route: its
 * healthy instances, a progressive deployment's split, an idle route while it is scaled to zero, or the page that says
 * why it does not serve. And the routes of its tagged revisions: each running revision a deployment tagged
 * ({@code slipway:revision-tag}) is reached at {@code <tag>--<service's domain>}, its healthy instances only (503 while
 * none is), whatever share of the service's traffic it takes; where two running revisions have the same tag, the newer
 * one has it; the route goes with the revision's last instance.
 */
final class ServiceRoutes {
    private final ServiceIdentity id;
    private final RoutingTable routing;
    /** The tagged revisions' hosts published last. */
    private final Set<String> taggedHosts = new HashSet<>();
    /** The route published last was a scaled-to-zero one, and no instance has been healthy since. */
    private boolean idle;

    ServiceRoutes(ServiceIdentity id, RoutingTable routing) {
        this.id = id;
        this.routing = routing;
    }

    /** The route of a service that does not serve: a page saying it is paused or unavailable (and why); none once deleted. */
    Optional<Route> notServing(DesiredState desired) {
        return switch (desired.mode()) {
            case PAUSED -> Optional.of(Route.paused(id.serviceId(), id.serviceName()));
            case UNAVAILABLE -> Optional.of(unavailable(desired.message()));
            default -> Optional.empty();
        };
    }

    Route unavailable(String message) {
        return Route.unavailable(id.serviceId(), id.serviceName(), message);
    }

    /** The route to {@code healthy}; while scaled to zero, and until the instance a request woke is healthy, an idle one. */
    Route serving(List<ObservedInstance> healthy, DesiredState desired) {
        // requests wait in the queue, not 503
        idle = healthy.isEmpty() && (desired.count() == 0 || idle);
        if (idle) {
            return Route.idle(id.serviceId(), id.serviceName(), desired.maxConcurrency());
        }
        return Route.serving(id.serviceId(), id.serviceName(), healthy.stream().map(ServiceRoutes::endpoint).toList(),
                desired.maxConcurrency());
    }

    /**
     * Publishes the service's route (none: removed) and the routes of {@code tagged} (the live instances of tagged
     * revisions; none when the service does not serve).
     */
    void publish(Optional<Route> route, List<ObservedInstance> tagged, int maxConcurrency) {
        routing.put(id.host(), route);
        Map<String, Long> generationOf = new HashMap<>();
        for (ObservedInstance i : tagged) {
            generationOf.merge(host(i), i.generation, Math::max);
        }
        Map<String, List<Endpoint>> byHost = new HashMap<>();
        for (ObservedInstance i : tagged) {
            if (generationOf.get(host(i)) == i.generation) {
                List<Endpoint> endpoints = byHost.computeIfAbsent(host(i), h -> new ArrayList<>());
                if (i.state == ObservedInstance.State.HEALTHY) {
                    endpoints.add(endpoint(i));
                }
            }
        }
        for (String host : taggedHosts) {
            if (!byHost.containsKey(host)) {
                routing.put(host, Optional.empty());
            }
        }
        byHost.forEach((host, endpoints) -> routing.put(host, Optional.of(Route.serving(id.serviceId(), id.serviceName(), endpoints,
                maxConcurrency))));
        taggedHosts.clear();
        taggedHosts.addAll(byHost.keySet());
    }

    private String host(ObservedInstance i) {
        return i.revision.tag().orElseThrow() + "--" + id.host();
    }

    private static Endpoint endpoint(ObservedInstance i) {
        return new Endpoint(i.id, i.handle.host(), i.handle.port(), i.http2);
    }
}
