package dev.slipway.core.spi;

import dev.slipway.core.routing.RoutingView;

/** Starts the HTTP data plane; found with {@link java.util.ServiceLoader}. */
public interface RouterProvider {
    /** Starts a router serving {@code routes} on {@code bindHost:port} ({@code port} 0 picks a free one). */
    Router start(RoutingView routes, String bindHost, int port, RouterTimeouts timeouts);

    /** A running router. */
    interface Router extends AutoCloseable {
        int port();

        /** Stops accepting new connections; connections already open are served until {@link #close()}. */
        void stopAccepting();

        /** Closes every connection and frees the router's threads. */
        @Override
        void close();
    }
}
