package dev.slipway.core.internal.control;

import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.spi.RouterProvider;
import dev.slipway.core.spi.RouterLimits;
import dev.slipway.core.spi.RouterTimeouts;
import java.time.Duration;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The router as the control plane drives it: started from the class path, direct ports per service, drained at close. */
public final class RouterControl {
    private static final Logger LOG = LoggerFactory.getLogger(RouterControl.class);

    private final RouterProvider.Router router;
    private final RoutingTable table;

    private RouterControl(RouterProvider.Router router, RoutingTable table) {
        this.router = router;
        this.table = table;
    }

    /** Starts the router found on the class path ({@code RouterProvider}), serving {@code table}. */
    public static RouterControl start(RoutingTable table, String host, int port, RouterTimeouts timeouts, RouterLimits limits,
                                      dev.slipway.core.spi.RouterTracing tracing) {
        RouterProvider provider = ServiceLoader.load(RouterProvider.class).findFirst().orElseThrow(() ->
                new IllegalStateException("No router on the classpath: add dev.slipway:slipway-router-netty, "
                        + "or build with routerPort(-1) to run without one"));
        return new RouterControl(provider.start(table, host, port, timeouts, limits, tracing), table);
    }

    public int port() {
        return router.port();
    }

    /** Listens on IPv6 too (for DUAL_STACK services); returns the port. */
    public int listenOnIpv6() {
        return router.listenOnIpv6();
    }

    /** Opens the private listener {@code name} on {@code host:port} (0: a free one); returns its port. */
    public int openPrivateListener(String name, String host, int port) {
        return router.openPrivateListener(name, host, port);
    }

    /** Opens the router's HTTPS listener on {@code port} (0: a free one), presenting {@code certificates}; returns its port. */
    public int openHttps(int port, dev.slipway.core.tls.ServerCertificates certificates) {
        return router.openHttps(port, certificates);
    }

    /** The direct port of the service at {@code serviceUrl} (host[:port]), opened on first use. */
    public int directPort(String serviceUrl) {
        return router.openDirectPort(host(serviceUrl), 0);
    }

    public void closeDirectPort(String serviceUrl) {
        router.closeDirectPort(host(serviceUrl));
    }

    private static String host(String serviceUrl) {
        return serviceUrl.replaceAll("^https?://", "").replaceAll("[:/].*$", "");
    }

    /** Stops accepting, answers new requests 503, lets requests in flight finish (up to {@code drain}), then closes. */
    public void drainAndClose(Duration drain) {
        router.stopAccepting();
        table.closeAll("Slipway is stopping. Try again when it runs again.");
        try {
            if (!table.awaitAllIdle(drain)) {
                LOG.warn("requests still in flight after {}s of draining; stopping anyway", drain.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        router.close();
    }

    public void close() {
        router.close();
    }
}
