package dev.slipway.router.netty;

import dev.slipway.core.routing.RoutingView;
import dev.slipway.core.spi.RouterLimits;
import dev.slipway.core.spi.RouterProvider;
import dev.slipway.core.spi.RouterTimeouts;

/** Provides the Netty HTTP/1.1 reverse proxy. */
public final class NettyRouterProvider implements RouterProvider {
    @Override
    public Router start(RoutingView table, String bindHost, int port, RouterTimeouts timeouts, RouterLimits limits) {
        return NettyRouter.start(table, bindHost, port, timeouts, limits);
    }

    @Override
    public Router start(RoutingView table, String bindHost, int port, RouterTimeouts timeouts, RouterLimits limits,
                        dev.slipway.core.spi.RouterTracing tracing) {
        return NettyRouter.start(table, bindHost, port, timeouts, limits, tracing);
    }
}
