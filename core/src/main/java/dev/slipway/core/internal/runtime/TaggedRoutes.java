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
 * The routes of a service's tagged revisions: each running revision a deployment tagged ({@code slipway:revision-tag})
 * is reached at {@code <tag>--<service's domain>}, its healthy instances only (503 while none is), whatever share of the
 * service's traffic it takes; where two running revisions have the same tag, the newer one has it; the route goes with
 * the revision's last instance. Confined to the reconciler's loop.
 */
final class TaggedRoutes {
    private final ServiceIdentity id;
    private final RoutingTable routing;
    /** The hosts published last. */
    private final Set<String> hosts = new HashSet<>();

    TaggedRoutes(ServiceIdentity id, RoutingTable routing) {
        this.id = id;
        this.routing = routing;
    }

    /** Publishes the routes of {@code tagged} (the live instances of tagged revisions; none when the service does not serve). */
    void publish(List<ObservedInstance> tagged, int maxConcurrency) {
        Map<String, Long> generationOf = new HashMap<>();
        for (ObservedInstance i : tagged) {
            generationOf.merge(host(i), i.generation, Math::max);
        }
        Map<String, List<Endpoint>> byHost = new HashMap<>();
        for (ObservedInstance i : tagged) {
            if (generationOf.get(host(i)) == i.generation) {
                List<Endpoint> endpoints = byHost.computeIfAbsent(host(i), h -> new ArrayList<>());
                if (i.state == ObservedInstance.State.HEALTHY) {
                    endpoints.add(new Endpoint(i.id, i.handle.host(), i.handle.port(), i.http2));
                }
            }
        }
        for (String host : hosts) {
            if (!byHost.containsKey(host)) {
                routing.put(host, Optional.empty());
            }
        }
        byHost.forEach((host, endpoints) -> routing.put(host, Optional.of(Route.serving(id.serviceId(), id.serviceName(), endpoints,
                maxConcurrency))));
        hosts.clear();
        hosts.addAll(byHost.keySet());
    }

    private String host(ObservedInstance i) {
        return i.revision.tag().orElseThrow() + "--" + id.host();
    }
}
