package dev.slipway.core.spi;

import dev.slipway.core.routing.RoutingView;

/** Starts the HTTP data plane; found with {@link java.util.ServiceLoader}. */
public interface RouterProvider {
    /** Starts a router serving {@code routes} on {@code bindHost:port} ({@code port} 0 picks a free one). */
    Router start(RoutingView routes, String bindHost, int port, RouterTimeouts timeouts, RouterLimits limits);

    /** As {@link #start(RoutingView, String, int, RouterTimeouts, RouterLimits)}, tracing traced routes' requests as {@code tracing} says. */
    default Router start(RoutingView routes, String bindHost, int port, RouterTimeouts timeouts, RouterLimits limits,
                         RouterTracing tracing) {
        return start(routes, bindHost, port, timeouts, limits);
    }

    /** A running router. */
    interface Router extends AutoCloseable {
        int port();

        /**
         * Opens a listener of its own for the service served at {@code host} (its ServiceUrl's host), on the router's
         * address and {@code port} (0: a free one): every request to it goes to that service, whatever its Host header
         * says, so a plain {@code http://127.0.0.1:<port>/} reaches it. Opening it again returns the same port.
         */
        default int openDirectPort(String host, int port) {
            throw new UnsupportedOperationException("this router has no direct ports");
        }

        /**
         * Opens an HTTPS listener on the router's address and {@code port} (0: a free one) that serves the same routes,
         * presenting for each connection the certificate {@code certificates} gives for the server name the client
         * asked for (SNI); returns its port.
         */
        default int openHttps(int port, dev.slipway.core.tls.ServerCertificates certificates) {
            throw new UnsupportedOperationException("this router does not serve HTTPS");
        }

        /**
         * Opens the private listener {@code name} on {@code host:port} (0: a free one): it serves the routes the snapshot's
         * private names give it ({@link dev.slipway.core.routing.RoutingSnapshot#privateNames()}) and nothing else; returns
         * its port.
         */
        default int openPrivateListener(String name, String host, int port) {
            throw new UnsupportedOperationException("this router has no private listeners");
        }

        /**
         * Listens on the IPv6 counterpart of the router's address ({@code ::1} for {@code 127.0.0.1}, {@code ::} for
         * {@code 0.0.0.0}) too, on the router's port if it is free there (else a free one): that listener serves the
         * routes the snapshot says are dual stack ({@link dev.slipway.core.routing.RoutingSnapshot#dualStack()}) only.
         * Returns its port; opening it again returns the same.
         */
        default int listenOnIpv6() {
            throw new UnsupportedOperationException("this router does not listen on IPv6");
        }

        /** Closes the direct port of {@code host}, if one is open. */
        default void closeDirectPort(String host) {
        }

        /** Stops accepting new connections; connections already open are served until {@link #close()}. */
        void stopAccepting();

        /** Closes every connection and frees the router's threads. */
        @Override
        void close();
    }
}
