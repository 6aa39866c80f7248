package dev.slipway.router.netty;

import dev.slipway.core.routing.RoutingView;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The router's switched connections (WebSockets) open now. When an instance's drain times out with some still open,
 * the routing table evicts it ({@link RoutingView#onEvicted}), and each of its connections is closed by its own
 * handler, on its own event loop: a WebSocket with a close frame (1001 going away) between two of the instance's frames.
 */
final class Tunnels {
    private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();

    Tunnels(RoutingView table) {
        table.onEvicted(this::evict);
    }

    void add(Tunnel tunnel) {
        open.add(tunnel);
    }

    void remove(Tunnel tunnel) {
        open.remove(tunnel);
    }

    /** How many are open (for tests and metrics). */
    int size() {
        return open.size();
    }

    private void evict(Collection<String> instanceIds) {
        Set<String> ids = Set.copyOf(instanceIds);
        open.forEach(t -> t.evictIfOn(ids));
    }
}
