package dev.slipway.core;

import dev.slipway.core.internal.control.RouterControl;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.routing.Admission;
import dev.slipway.core.routing.Route;
import dev.slipway.core.routing.RoutingSnapshot;
import dev.slipway.core.spi.RouteSharing;
import dev.slipway.core.spi.RouterLimits;
import dev.slipway.core.spi.RouterTimeouts;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A router and the routes it serves, started before the control plane that will drive it: a replica of the server that
 * waits to lead {@linkplain #follow follows} the leader's routes, serving them, and when it leads it hands this data
 * plane to its {@link Slipway} ({@link SlipwayBuilder#dataPlane}), which takes the routes over without closing the port
 * or dropping a request: the routes it followed serve until the new leader has set its own.
 *
 * <pre>{@code
 * DataPlane plane = DataPlane.start("0.0.0.0", 9080, RouterTimeouts.DEFAULT, RouterLimits.DEFAULT, Admission.DEFAULT, meters);
 * plane.follow(sharing);          // serves what the leader publishes
 * ...                             // this process becomes the leader
 * Slipway slipway = Slipway.builder().dataPlane(plane).stateStore(store).build();
 * }</pre>
 */
public final class DataPlane implements AutoCloseable {
    private final RoutingTable table;
    private final RouterControl router;
    private RouteSharing following;
    private boolean taken;
    /** The HTTPS listener's port, once {@link #serveHttps} opened it (-1 before). */
    private int httpsPort = -1;
    /** What the HTTPS listener presents: the store's certificates while following, the leader's own once it leads. */
    private volatile dev.slipway.core.tls.ServerCertificates certificates;
    private dev.slipway.core.internal.control.StoredCertificates stored;

    private DataPlane(RoutingTable table, RouterControl router) {
        this.table = table;
        this.router = router;
    }

    /** Starts the router found on the class path on {@code host:port} (0: a free port), serving no route yet. */
    public static DataPlane start(String host, int port, RouterTimeouts timeouts, RouterLimits limits, Admission admission,
                                  MeterRegistry meters) {
        return start(host, port, timeouts, limits, admission, meters, dev.slipway.core.spi.RouterTracing.NONE);
    }

    /** As {@link #start(String, int, RouterTimeouts, RouterLimits, Admission, MeterRegistry)}, exporting traced requests' spans as {@code tracing} says. */
    public static DataPlane start(String host, int port, RouterTimeouts timeouts, RouterLimits limits, Admission admission,
                                  MeterRegistry meters, dev.slipway.core.spi.RouterTracing tracing) {
        RoutingTable table = new RoutingTable(meters, admission);
        return new DataPlane(table, RouterControl.start(table, host, port, timeouts, limits, tracing));
    }

    /** The port the router listens on. */
    public int port() {
        return router.port();
    }

    private final java.util.Map<String, Integer> privatePorts = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Opens the router's private listener {@code name} on {@code host:port} (0: a free one) while following: it serves the
     * VPC ingress connections of the leader's routes; the Slipway that takes this data plane over keeps it. Returns its port.
     */
    public synchronized int openPrivateListener(String name, String host, int port) {
        return privatePorts.computeIfAbsent(name, n -> router.openPrivateListener(n, host, port));
    }

    /** The port of private listener {@code name}, if {@link #openPrivateListener} opened it. */
    public java.util.Optional<Integer> privateListenerPort(String name) {
        return java.util.Optional.ofNullable(privatePorts.get(name));
    }

    /**
     * Serves HTTPS on the router's address and {@code port} (0: a free one) while following: the custom domains'
     * certificates as the leader saved them in {@code store} (read again every 10 s; never written), services' own
     * domains' from {@code authority}'s fallback issuer (the local CA). Once a Slipway takes this data plane over, the
     * same listener presents its certificates. Returns the port.
     */
    public synchronized int serveHttps(int port, dev.slipway.core.store.StateStore store,
                                       java.util.Optional<dev.slipway.core.spi.CertificateAuthority> authority, String baseDomain) {
        if (httpsPort >= 0) {
            throw new IllegalStateException("this data plane serves HTTPS already, on port " + httpsPort);
        }
        stored = new dev.slipway.core.internal.control.StoredCertificates(store, authority, baseDomain.toLowerCase(java.util.Locale.ROOT),
                name -> table.snapshot().routes().containsKey(name), Duration.ofSeconds(10));
        certificates = stored.certificates();
        dev.slipway.core.tls.ServerCertificates switching = new dev.slipway.core.tls.ServerCertificates() {
            @Override
            public java.util.Optional<dev.slipway.core.tls.IssuedCertificate> forServerName(String serverName) {
                return certificates.forServerName(serverName);
            }

            @Override
            public java.util.Optional<byte[]> ocspResponse(dev.slipway.core.tls.IssuedCertificate certificate) {
                return certificates.ocspResponse(certificate);
            }
        };
        httpsPort = router.openHttps(port, switching);
        return httpsPort;
    }

    /** The HTTPS listener's port, if {@link #serveHttps} opened it. */
    public synchronized java.util.Optional<Integer> httpsPort() {
        return httpsPort < 0 ? java.util.Optional.empty() : java.util.Optional.of(httpsPort);
    }

    /** The leader's certificates, presented from now on by the HTTPS listener (if there is one). */
    synchronized void presentCertificates(dev.slipway.core.tls.ServerCertificates leaders) {
        certificates = leaders;
        if (stored != null) {
            stored.close();
            stored = null;
        }
    }

    /** The routes served now. */
    public RoutingSnapshot snapshot() {
        return table.snapshot();
    }

    /** Serves the routes {@code sharing} receives from the leader, until a {@link Slipway} takes this data plane over. */
    public synchronized void follow(RouteSharing sharing) {
        if (taken) {
            throw new IllegalStateException("a Slipway drives this data plane already");
        }
        following = sharing;
        sharing.follow(new RouteSharing.Follower() {
            @Override
            public void apply(RoutingSnapshot routes) {
                table.replaceAll(routes);
            }

            @Override
            public boolean awaitDrained(Duration timeout) throws InterruptedException {
                var gone = table.instancesNotRouted();
                boolean drained = table.awaitLocallyIdle(gone, timeout);
                if (drained) {
                    table.forget(gone);
                }
                return drained;
            }

            @Override
            public Map<String, Integer> samplePeaks() {
                Map<String, Integer> peaks = new HashMap<>();
                for (Route r : table.snapshot().routes().values()) {
                    peaks.computeIfAbsent(r.serviceId(), id -> table.sampleConcurrency(id).peak());
                }
                return peaks;
            }
        });
    }

    /** Taken over by a Slipway: stops following; returns the sharing it followed (to publish to now), if any. */
    synchronized RouteSharing takeOver() {
        if (taken) {
            throw new IllegalStateException("a Slipway drives this data plane already");
        }
        taken = true;
        if (following != null) {
            following.stopFollowing();
        }
        table.inherit();
        return following;
    }

    RoutingTable table() {
        return table;
    }

    RouterControl router() {
        return router;
    }

    /**
     * Stops following, then drains and closes the router (up to {@link Timeouts#DEFAULT}'s drain); once a Slipway took
     * this data plane over, closing that Slipway closes it instead, and this does nothing.
     */
    @Override
    public synchronized void close() {
        if (taken) {
            return;
        }
        taken = true;
        if (following != null) {
            following.stopFollowing();
        }
        if (stored != null) {
            stored.close();
        }
        router.drainAndClose(Timeouts.DEFAULT.drain());
    }
}
