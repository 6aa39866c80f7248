package dev.slipway.core;

import dev.slipway.core.internal.control.RouterControl;
import dev.slipway.core.internal.control.ServiceUrls;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.spi.RouteSharing;
import dev.slipway.core.tls.ServerCertificates;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The router of a {@link Slipway} and its listeners: the router it starts on the builder's port, or the one its
 * {@link DataPlane} started (and served another leader's routes with); the HTTPS listener, the private listeners, the
 * IPv6 listener the first DUAL_STACK service opens, and the services' direct ports. No router: {@code routerPort(-1)}.
 */
final class RouterListeners {
    private final RouterControl router;
    private final boolean directPorts;
    private final Map<String, Integer> privatePorts = new ConcurrentHashMap<>();
    private volatile int ipv6Port = -1;

    private RouterListeners(RouterControl router, boolean directPorts) {
        this.router = router;
        this.directPorts = directPorts && router != null;
    }

    /**
     * Starts the router (or takes the data plane's, leading {@code sharing}) and opens the listeners {@code b} asks
     * for, telling {@code urls} where services are served; closes what it opened when one cannot open.
     */
    static RouterListeners open(SlipwayBuilder b, RoutingTable table, RouteSharing sharing, ServiceUrls urls,
                                Supplier<ServerCertificates> certificates) {
        RouterControl router = null;
        if (b.dataPlane != null) {
            router = b.dataPlane.router();
            table.lead(sharing);
        } else if (b.routerPort >= 0) {
            router = RouterControl.start(table, b.routerHost, b.routerPort, b.routerTimeouts, b.routerLimits, b.routerTracing);
        }
        RouterListeners listeners = new RouterListeners(router, b.directPorts);
        try {
            listeners.openListeners(b, urls, certificates);
            return listeners;
        } catch (RuntimeException e) {
            listeners.close();
            throw e;
        }
    }

    private void openListeners(SlipwayBuilder b, ServiceUrls urls, Supplier<ServerCertificates> certificates) {
        if (router != null) {
            urls.routerPort(router.port());
        }
        if (b.dataPlane != null && b.dataPlane.httpsPort().isPresent()) { // it served HTTPS while following
            b.dataPlane.presentCertificates(certificates.get());
            urls.httpsPort(b.dataPlane.httpsPort().get());
        } else if (b.httpsPort >= 0) {
            if (router == null || b.certificateAuthority == null) {
                throw new IllegalStateException("httpsPort needs a router and a certificateAuthority (the local CA of "
                        + "dev.slipway:slipway-tls, or an ACME directory)");
            }
            urls.httpsPort(router.openHttps(b.httpsPort, certificates.get()));
        }
        for (var l : b.privateListeners.entrySet()) {
            if (router == null) {
                throw new IllegalStateException("a private listener needs a router");
            }
            Optional<Integer> followed = b.dataPlane == null ? Optional.empty() : b.dataPlane.privateListenerPort(l.getKey());
            privatePorts.put(l.getKey(), followed.orElseGet(() -> router.openPrivateListener(l.getKey(), l.getValue().getHost(),
                    l.getValue().getPort())));
        }
    }

    Optional<Integer> routerPort() {
        return Optional.ofNullable(router).map(RouterControl::port);
    }

    /** Opens the IPv6 listener, once (a DUAL_STACK service needs it); nothing without a router. */
    synchronized void listenOnIpv6() {
        if (router != null && ipv6Port < 0) {
            ipv6Port = router.listenOnIpv6();
        }
    }

    Optional<Integer> ipv6Port() {
        int port = ipv6Port;
        return port < 0 ? Optional.empty() : Optional.of(port);
    }

    Optional<Integer> privateListenerPort(String name) {
        return Optional.ofNullable(privatePorts.get(name));
    }

    /** Opens a new service's direct port when every service gets one ({@link SlipwayBuilder#directPorts}). */
    void serviceCreated(String serviceUrl) {
        if (directPorts) {
            router.directPort(serviceUrl);
        }
    }

    /** Closes a deleted service's direct port, if it had one. */
    void serviceDeleted(String serviceUrl) {
        if (router != null) {
            router.closeDirectPort(serviceUrl);
        }
    }

    /** The direct port of the service at {@code serviceUrl}, opened on first use. */
    int directPort(String serviceUrl) {
        return Optional.ofNullable(router).orElseThrow(() -> new IllegalStateException("no router (routerPort(-1))"))
                .directPort(serviceUrl);
    }

    /** Stops accepting, answers new requests 503, lets requests in flight finish (up to {@code drain}), then closes. */
    void drainAndClose(Duration drain) {
        if (router != null) {
            router.drainAndClose(drain);
        }
    }

    /** Closes at once (a start that failed). */
    void close() {
        if (router != null) {
            router.close();
        }
    }
}
