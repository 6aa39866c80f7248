package dev.slipway.core.spi;

import dev.slipway.core.routing.RoutingTable;

/** Starts the HTTP data plane; found with {@link java.util.ServiceLoader}. */
public interface RouterProvider {
    /** Starts a router serving {@code table} on {@code bindHost:port} ({@code port} 0 picks a free one). */
    Router start(RoutingTable table, String bindHost, int port);

    /** A running router. */
    interface Router extends AutoCloseable {
        int port();

        @Override
        void close();
    }
}
