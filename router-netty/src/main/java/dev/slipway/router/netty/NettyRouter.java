package dev.slipway.router.netty;

import dev.slipway.router.netty.http1.RequestFramer;
import dev.slipway.core.routing.RoutingView;
import dev.slipway.core.spi.RouterLimits;
import dev.slipway.core.spi.RouterProvider;
import dev.slipway.core.spi.RouterTimeouts;
import dev.slipway.core.spi.RouterTracing;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import dev.slipway.core.tls.ServerCertificates;
import dev.slipway.core.routing.RoutingSnapshot;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The router: a reverse proxy that routes by Host to a service's healthy instances (least outstanding requests),
 * streams bodies both ways with backpressure, and keeps pooled keep-alive connections to instances. Clients speak
 * HTTP/1.1 or HTTP/2 (over TLS by ALPN, or cleartext with prior knowledge); instances HTTP/1.1, or HTTP/2 cleartext
 * where their revision says so (gRPC).
 */
public final class NettyRouter implements RouterProvider.Router {
    private final EventLoopGroup workers;
    private final Transport transport;
    private final RoutingView table;
    private final UpstreamPool pool;
    private final RouterTimeouts timeouts;
    private final ConnectionLimits limits;
    private final String bindHost;
    private final Channel serverChannel;
    private final int port;
    /** Private listeners by name. */
    private final Map<String, Channel> privateListeners = new ConcurrentHashMap<>();
    /** Direct ports by the host of the service they serve. */
    private final Map<String, Channel> direct = new ConcurrentHashMap<>();
    /** The HTTPS listener, once opened, and its port (-1 before). */
    private volatile Channel https;
    private volatile int httpsPort = -1;
    private final RequestTracing tracing;
    /** The switched connections (WebSockets) open now, closed when their instance is evicted. */
    private final Tunnels tunnels;

    private NettyRouter(Transport transport, RoutingView table, RouterTimeouts timeouts, RouterLimits limits, String bindHost, int port,
                        RouterTracing tracing) {
        this.transport = transport;
        this.tracing = RequestTracing.start(tracing);
        this.limits = new ConnectionLimits(limits);
        this.table = table;
        this.tunnels = new Tunnels(table);
        this.timeouts = timeouts;
        this.bindHost = bindHost;
        this.pool = new UpstreamPool(transport);
        // the listening channels are on these loops too: no thread of their own to wake for each new connection
        // (docs/benchmarks.md, "Accepting on the event loops")
        this.workers = transport.group(Transport.eventLoops(), "slipway-router");
        try {
            this.serverChannel = bind(bindHost, port, null, null, Listener.PUBLIC);
        } catch (RuntimeException e) {
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            this.tracing.close();
            throw e;
        }
        this.port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Client connections open now. */
    int openConnections() {
        return limits.open();
    }

    /** The I/O transport the router runs on: io_uring, epoll or nio. */
    String transportName() {
        return transport.name();
    }

    /** Binds {@code host:port} (0 for a free port) and serves the routes of {@code table}, with the default timeouts. */
    public static NettyRouter start(RoutingView table, String host, int port) {
        return start(table, host, port, RouterTimeouts.DEFAULT);
    }

    /** Binds {@code host:port} (0 for a free port) and serves the routes of {@code table}. */
    public static NettyRouter start(RoutingView table, String host, int port, RouterTimeouts timeouts) {
        return start(table, host, port, timeouts, RouterLimits.DEFAULT);
    }

    /** Binds {@code host:port} (0 for a free port) and serves the routes of {@code table}, within {@code limits}. */
    public static NettyRouter start(RoutingView table, String host, int port, RouterTimeouts timeouts, RouterLimits limits) {
        return start(table, host, port, timeouts, limits, RouterTracing.NONE);
    }

    /** As {@link #start(RoutingView, String, int, RouterTimeouts, RouterLimits)}, exporting traced routes' spans as {@code tracing} says. */
    public static NettyRouter start(RoutingView table, String host, int port, RouterTimeouts timeouts, RouterLimits limits,
                                    RouterTracing tracing) {
        return start(table, host, port, timeouts, limits, System.getProperty("slipway.router.transport", "epoll"), tracing);
    }

    /** As {@link #start(RoutingView, String, int, RouterTimeouts, RouterLimits)}, on the transport asked for (see {@link Transport}). */
    static NettyRouter start(RoutingView table, String host, int port, RouterTimeouts timeouts, RouterLimits limits, String transportName) {
        return start(table, host, port, timeouts, limits, transportName, RouterTracing.NONE);
    }

    private static NettyRouter start(RoutingView table, String host, int port, RouterTimeouts timeouts, RouterLimits limits,
                                     String transportName, RouterTracing tracing) {
        Transport transport = Transport.choose(transportName);
        NettyRouter router = new NettyRouter(transport, table, timeouts, limits, host, port, tracing);
        transport.log(Transport.eventLoops());
        return router;
    }

    /**
     * A listener on {@code host:port} whose connections route by Host, or all to {@code fixedHost} when it is not null;
     * over TLS when {@code tls} is not null (the certificate chosen by the client's server name); the private listener
     * {@code listener} when it is not null (it serves the VPC ingress connections' domain names that name it, only).
     */
    private Channel bind(String host, int port, String fixedHost, TlsContexts tls, Listener listener) {
        try {
            return new ServerBootstrap().group(workers).channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            if (!limits.admit(c, c.remoteAddress().getAddress())) {
                                return;
                            }
                            String client = c.remoteAddress().getAddress().getHostAddress();
                            if (tls == null) {
                                c.pipeline().addLast("h2c-or-http1", new PriorKnowledge((ctx, h2c) -> {
                                    if (h2c) {
                                        http2(ctx.pipeline(), client, fixedHost, false, listener);
                                    } else {
                                        http1(ctx.pipeline(), client, fixedHost, false, listener);
                                    }
                                }, timeouts.idle().toMillis()));
                                return;
                            }
                            c.pipeline().addLast("tls", tls.sniHandler());
                            c.pipeline().addLast("alpn", new AlpnSwitch((ctx, protocol) -> {
                                if (protocol.equals(ApplicationProtocolNames.HTTP_2)) {
                                    http2(ctx.pipeline(), client, null, true, Listener.PUBLIC);
                                } else {
                                    http1(ctx.pipeline(), client, null, true, Listener.PUBLIC);
                                }
                            }));
                        }
                    }).bind(host, port).syncUninterruptibly().channel();
        } catch (Exception e) { // bind() rethrows java.net.BindException unchecked
            throw new IllegalStateException("The router cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); choose another port" + (fixedHost != null ? "" : tls != null ? " with --https-port" : listener.privateName() != null
                    ? " with --private-listener " + listener.privateName() + "=ADDRESS:PORT" : " with --router-port"), e);
        }
    }

    /**
     * The handlers of an HTTP/1.1 connection: its deadlines between requests, its requests' framing, the encoder of the
     * router's own answers, and the proxy of its exchanges.
     */
    private void http1(ChannelPipeline p, String client, String fixedHost, boolean https, Listener listener) {
        p.addLast("idle-deadlines", new IdleDeadlines(timeouts));
        p.addLast("request-framer", new RequestFramer(client, fixedHost, https));
        p.addLast("response-encoder", new HttpResponseEncoder());
        p.addLast("proxy-frontend", proxy(client, fixedHost, https, listener));
    }

    private ProxyFrontendHandler proxy(String client, String fixedHost, boolean https, Listener listener) {
        return new ProxyFrontendHandler(table, pool, timeouts, fixedHost, https ? -1 : httpsPort, tracing, client, tunnels, listener);
    }

    /**
     * The handlers of an HTTP/2 connection: each stream is a request carried through the HTTP/1.1 exchange by an
     * {@link Http2Frontend}, so the same admission, timeouts, metrics and framing rules apply; up to
     * {@link #MAX_STREAMS} at once; a connection with no stream open for the idle timeout is closed (GOAWAY). Over
     * TLS ({@code https}, chosen by ALPN) or cleartext (h2c with prior knowledge).
     */
    private void http2(ChannelPipeline p, String client, String fixedHost, boolean https, Listener listener) {
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(MAX_STREAMS).maxHeaderListSize(65536))
                .validateHeaders(true).build();
        // the streams' responses that come in one turn of the event loop go out in one TLS record batch and one write
        p.addLast("h2-flushes", new io.netty.handler.flush.FlushConsolidationHandler(256, true));
        p.addLast("h2", codec);
        long idle = timeouts.idle().toMillis();
        p.addLast("h2-idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS) {
            @Override
            protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
                if (codec.connection().numActiveStreams() == 0) {
                    ctx.close();
                }
            }
        });
        RequestFramer framing = new RequestFramer(client, fixedHost, https); // each stream's framer is a copy
        p.addLast("h2-streams", new Http2Frontend(codec, framing, () -> proxy(client, fixedHost, https, listener)));
    }

    /** Streams one HTTP/2 connection may have open at once (nginx: http2_max_concurrent_streams 128). */
    static final int MAX_STREAMS = 250;

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized int openDirectPort(String host, int port) {
        String key = RoutingSnapshot.normalizeHost(host);
        Channel open = direct.get(key);
        if (open == null) {
            open = bind(bindHost, port, key, null, Listener.PUBLIC);
            direct.put(key, open);
        }
        return ((InetSocketAddress) open.localAddress()).getPort();
    }

    @Override
    public synchronized int openHttps(int port, ServerCertificates certificates) {
        if (https != null) {
            throw new IllegalStateException("the router serves HTTPS already, on port " + ((InetSocketAddress) https.localAddress()).getPort());
        }
        https = bind(bindHost, port, null, new TlsContexts(certificates), Listener.PUBLIC);
        httpsPort = ((InetSocketAddress) https.localAddress()).getPort();
        return httpsPort;
    }

    @Override
    public synchronized int listenOnIpv6() {
        if (ipv6 == null) {
            String v6 = bindHost.equals("0.0.0.0") ? "::" : "::1";
            try {
                ipv6 = bind(v6, port, null, null, Listener.IPV6);
            } catch (IllegalStateException taken) { // the router's port is someone else's on IPv6: any free one
                ipv6 = bind(v6, 0, null, null, Listener.IPV6);
            }
        }
        return ((InetSocketAddress) ipv6.localAddress()).getPort();
    }

    /** The IPv6 listener, once a DUAL_STACK service asked for it. */
    private Channel ipv6;

    /**
     * What a listener serves: every route but private services' ({@link #PUBLIC}); a private listener's VPC ingress
     * connections only ({@code privateName}); DUAL_STACK services only ({@link #IPV6}).
     */
    record Listener(String privateName, boolean ipv6) {
        static final Listener PUBLIC = new Listener(null, false);
        static final Listener IPV6 = new Listener(null, true);
    }

    @Override
    public synchronized int openPrivateListener(String name, String host, int port) {
        if (privateListeners.containsKey(name)) {
            throw new IllegalStateException("private listener " + name + " is open already");
        }
        Channel open = bind(host, port, null, null, new Listener(name, false));
        privateListeners.put(name, open);
        return ((InetSocketAddress) open.localAddress()).getPort();
    }

    @Override
    public synchronized void closeDirectPort(String host) {
        Channel open = direct.remove(RoutingSnapshot.normalizeHost(host));
        if (open != null) {
            open.close().syncUninterruptibly();
        }
    }

    @Override
    public void stopAccepting() {
        serverChannel.close().syncUninterruptibly();
        Channel tls = https;
        if (tls != null) {
            tls.close().syncUninterruptibly();
        }
        direct.values().forEach(c -> c.close().syncUninterruptibly());
        privateListeners.values().forEach(c -> c.close().syncUninterruptibly());
        Channel v6 = ipv6;
        if (v6 != null) {
            v6.close().syncUninterruptibly();
        }
    }

    @Override
    public void close() {
        stopAccepting();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        tracing.close();
    }
}
