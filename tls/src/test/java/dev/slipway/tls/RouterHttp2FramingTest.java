package dev.slipway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.router.netty.NettyRouter;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request smuggling through the HTTP/2 to HTTP/1.1 translation: a raw HTTP/2 client (Netty's frame codec with header
 * validation off, so it sends what a hostile client would) sends what would frame a second request into the
 * instance's HTTP/1.1 connection if carried as it is: CR/LF in field values or in {@code :path}, connection-specific
 * fields, a Host other than {@code :authority}, a body longer than its Content-Length, an HTTP/1.1 request inside a
 * body. Each is refused (400, or the stream reset) or carried as exactly one request; the instance never sees a second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouterHttp2FramingTest {
    private static final String HOST = "app.example.com";

    @TempDir
    static Path tmp;

    private final RoutingTable table = new RoutingTable();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private NettyRouter router;
    private HttpServer upstream;
    private int https;
    private EventLoopGroup group;
    private SslContext client;

    @BeforeAll
    void start() throws Exception {
        LocalCertificateAuthority authority = LocalCertificateAuthority.open(tmp);
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " host=" + exchange.getRequestHeaders().get("Host")
                    + " injected=" + exchange.getRequestHeaders().containsKey("X-Injected") + " body=" + new String(body, StandardCharsets.ISO_8859_1));
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("ok".getBytes(StandardCharsets.US_ASCII));
            exchange.close();
        });
        upstream.start();
        table.put(HOST, Optional.of(Route.serving("svc-id", "svc", List.of(new Endpoint("i-1", "127.0.0.1", upstream.getAddress().getPort())), 100)));
        router = NettyRouter.start(table, "127.0.0.1", 0);
        var cert = authority.issueAtOnce(List.of(HOST)).orElseThrow();
        https = router.openHttps(0, name -> Optional.of(cert));

        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        SslContext ssl = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2)).build();
        client = ssl;
    }

    /** A new HTTP/2 connection to the router (a refused request may end the one it came on, with GOAWAY). */
    private Channel connect() {
        return new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel c) {
                c.pipeline().addLast(client.newHandler(c.alloc(), HOST, https));
                c.pipeline().addLast(Http2FrameCodecBuilder.forClient().validateHeaders(false).build());
                c.pipeline().addLast(new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                    }
                }));
            }
        }).connect("127.0.0.1", https).syncUninterruptibly().channel();
    }

    @AfterAll
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        router.close();
        upstream.stop(0);
    }

    @BeforeEach
    void forget() {
        received.clear();
    }

    @Test
    void aWellFormedRequestIsCarriedAsOne() throws Exception {
        assertThat(send(headers("POST", "/ok").setInt("content-length", 5), "hello")).isEqualTo("200");
        assertThat(received).containsExactly("POST /ok host=[" + HOST + "] injected=false body=hello");
    }

    @Test
    void crLfInAFieldValueIsRefused() throws Exception {
        assertThat(send(headers("GET", "/").add("x-note", "a\r\nx-injected: 1"), null)).isIn("400", "reset");
        assertThat(send(headers("GET", "/").add("x-note", "a\r\n\r\nGET /second HTTP/1.1\r\nhost: " + HOST), null)).isIn("400", "reset");
        assertThat(received).isEmpty();
    }

    @Test
    void aPathWithWhitespaceOrCrLfIsRefused() throws Exception {
        assertThat(send(headers("GET", "/ HTTP/1.1\r\nhost: " + HOST + "\r\n\r\nGET /second"), null)).isIn("400", "reset");
        assertThat(send(headers("GET", "/a b"), null)).isIn("400", "reset");
        assertThat(send(headers("GET", "http://evil.example/"), null)).isIn("400", "reset");
        assertThat(send(headers("G ET", "/"), null)).isIn("400", "reset");
        assertThat(received).isEmpty();
    }

    @Test
    void connectionSpecificFieldsAreRefused() throws Exception {
        for (String[] field : List.of(new String[] {"transfer-encoding", "chunked"}, new String[] {"connection", "close"},
                new String[] {"keep-alive", "timeout=5"}, new String[] {"upgrade", "websocket"}, new String[] {"te", "gzip"})) {
            assertThat(send(headers("POST", "/").add(field[0], field[1]), "0\r\n\r\nGET /second HTTP/1.1\r\n\r\n"))
                    .as(field[0]).isIn("400", "reset");
        }
        assertThat(received).isEmpty();
    }

    @Test
    void aHostOtherThanTheAuthorityIsRefusedAndUpperCaseNamesToo() throws Exception {
        assertThat(send(headers("GET", "/").add("host", "other.example.com"), null)).isIn("400", "reset");
        assertThat(send(headers("GET", "/").add("X-Upper", "1"), null)).isIn("400", "reset");
        assertThat(received).isEmpty();
    }

    @Test
    void aBodyLongerThanItsContentLengthIsNotCarriedOn() throws Exception {
        String smuggled = "GET /second HTTP/1.1\r\nhost: " + HOST + "\r\n\r\n";
        assertThat(send(headers("POST", "/").setInt("content-length", 2), "ab" + smuggled)).isIn("400", "reset");
        assertThat(received).noneMatch(r -> r.startsWith("GET /second"));
    }

    @Test
    void anHttp11RequestInsideABodyIsOnlyBodyBytes() throws Exception {
        String inside = "0\r\n\r\nGET /second HTTP/1.1\r\nhost: " + HOST + "\r\n\r\n";
        assertThat(send(headers("POST", "/outer"), inside)).isEqualTo("200");
        assertThat(received).containsExactly("POST /outer host=[" + HOST + "] injected=false body=" + inside);
    }

    private Http2Headers headers(String method, String path) {
        return new DefaultHttp2Headers(false).method(method).path(path).scheme("https").authority(HOST);
    }

    /** Sends one request on a new stream; the response's status, or "reset" if the stream was reset. */
    private String send(Http2Headers headers, String body) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Channel connection = connect();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(new SimpleChannelInboundHandler<Object>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2HeadersFrame h && h.headers().status() != null && !outcome.isDone()) {
                    outcome.complete(h.headers().status().toString());
                } else if (msg instanceof Http2ResetFrame) {
                    outcome.complete("reset");
                } else if (msg instanceof Http2DataFrame) {
                    // the body of an answer
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                outcome.complete("reset");
            }
        }).open().syncUninterruptibly().getNow();
        stream.write(new DefaultHttp2HeadersFrame(headers, body == null));
        if (body != null) {
            stream.write(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.ISO_8859_1), true));
        }
        stream.flush();
        try {
            String result = outcome.get(10, TimeUnit.SECONDS);
            // a second request smuggled in would reach the instance within this time: none may
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> received.stream().noneMatch(r -> r.startsWith("GET /second")));
            return result;
        } finally {
            connection.close().syncUninterruptibly();
        }
    }
}
