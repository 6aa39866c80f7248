package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The streams of one HTTP/2 connection (h2c with prior knowledge, Netty's HTTP/2 client) through the router to an
 * HTTP/1.1 instance: many at once each get their own answer, bodies of megabytes go both ways through both flow-control
 * windows unchanged, and a stream the client resets mid-response ends its exchange (the instance's connection closed,
 * its lease given back) while the connection serves on.
 */
class RouterHttp2StreamsTest {
    private static final String HOST = "streams-abc123.localhost";
    private static HttpServer upstream;
    private static RoutingTable table;
    private static NettyRouter router;
    private static EventLoopGroup group;
    private static final CompletableFuture<Void> endlessCut = new CompletableFuture<>();
    /** Opened when the instance that reads nothing yet may read its request's body. */
    private static final java.util.concurrent.CountDownLatch mayRead = new java.util.concurrent.CountDownLatch(1);
    /** Bytes the instance's endless answers for a slow reader wrote so far. */
    private static final java.util.concurrent.atomic.AtomicLong slowWritten = new java.util.concurrent.atomic.AtomicLong();

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        upstream.createContext("/echo", exchange -> { // the body back, as it came
            byte[] in = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, in.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(in);
            }
        });
        upstream.createContext("/endless", exchange -> { // a chunked body that ends when its reader goes away
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                while (true) { // as fast as the router takes it: its backpressure paces this
                    out.write(new byte[1024]);
                    out.flush();
                }
            } catch (IOException cut) {
                endlessCut.complete(null);
            }
        });
        upstream.createContext("/reads-later", exchange -> { // the body is read once the test says so
            try {
                mayRead.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = String.valueOf(exchange.getRequestBody().transferTo(OutputStream.nullOutputStream()))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.createContext("/answers-early", exchange -> { // a megabyte back before the upload is read
            byte[] body = new byte[1024 * 1024];
            java.util.Arrays.fill(body, (byte) 'a');
            exchange.sendResponseHeaders(413, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
                out.flush();
                // then what came of the upload, as a server does before it closes (else its close resets the connection,
                // and what the router had not read of the answer yet is lost with it)
                exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            } catch (IOException cut) {
                // the router ends the upload once the answer is out
            }
        });
        upstream.createContext("/for-a-slow-reader", exchange -> { // endless, counting what the router took
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                while (true) {
                    out.write(new byte[16384]);
                    slowWritten.addAndGet(16384);
                }
            } catch (IOException cut) {
                // the test's end
            }
        });
        upstream.createContext("/", exchange -> {
            byte[] body = (exchange.getRequestMethod() + " " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.start();
        table = new RoutingTable();
        table.put(HOST, Optional.of(Route.serving("svc-id", "streams", List.of(new Endpoint("i-1", "127.0.0.1",
                upstream.getAddress().getPort())), 1000)));
        router = NettyRouter.start(table, "127.0.0.1", 0);
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        router.close();
        upstream.stop(0);
    }

    @Test
    void manyStreamsAtOnceOnOneConnectionEachGetTheirOwnAnswer() throws Exception {
        Channel connection = connect();
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            answers.add(send(connection, "GET", "/n?i=" + i, null));
        }
        for (int i = 0; i < 200; i++) {
            Answer a = answers.get(i).get(20, TimeUnit.SECONDS);
            assertThat(a.status).isEqualTo("200");
            assertThat(new String(a.body, StandardCharsets.UTF_8)).isEqualTo("GET /n?i=" + i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> table.inFlight("i-1") == 0);
        connection.close().syncUninterruptibly();
    }

    @Test
    void megabytesGoBothWaysUnchanged() throws Exception {
        Channel connection = connect();
        byte[] body = new byte[3 * 1024 * 1024 + 7]; // far past both windows (65,535 bytes each)
        new Random(7).nextBytes(body);
        List<CompletableFuture<Answer>> answers = List.of(send(connection, "POST", "/echo", body), send(connection, "POST", "/echo", body));
        for (CompletableFuture<Answer> answer : answers) {
            Answer a = answer.get(30, TimeUnit.SECONDS);
            assertThat(a.status).isEqualTo("200");
            assertThat(a.body.length).isEqualTo(body.length);
            assertThat(Arrays.equals(a.body, body)).as("the same bytes, in order").isTrue();
        }
        connection.close().syncUninterruptibly();
    }

    @Test
    void aStreamTheClientResetsEndsItsExchangeAndTheConnectionServesOn() throws Exception {
        Channel connection = connect();
        CompletableFuture<Http2StreamChannel> firstData = new CompletableFuture<>();
        Http2StreamChannel endless = new Http2StreamChannelBootstrap(connection).handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2DataFrame) {
                    firstData.complete((Http2StreamChannel) ctx.channel());
                }
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }).open().syncUninterruptibly().getNow();
        endless.writeAndFlush(new DefaultHttp2HeadersFrame(headers("GET", "/endless"), true));
        firstData.get(10, TimeUnit.SECONDS);
        assertThat(table.inFlight("i-1")).as("the endless answer holds its lease").isEqualTo(1);
        endless.close().syncUninterruptibly(); // RST_STREAM (CANCEL)
        endlessCut.get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> table.inFlight("i-1") == 0);
        Answer after = send(connection, "GET", "/after", null).get(10, TimeUnit.SECONDS);
        assertThat(new String(after.body, StandardCharsets.UTF_8)).isEqualTo("GET /after");
        connection.close().syncUninterruptibly();
    }

    @Test
    void aClientThatReadsNothingHoldsTheInstanceBackNotTheRoutersMemory() throws Exception {
        Channel connection = connect();
        CompletableFuture<Void> headers = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
        Http2StreamChannel slow = new Http2StreamChannelBootstrap(connection).handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2HeadersFrame) {
                    headers.complete(null);
                } else if (msg instanceof Http2DataFrame d) {
                    read.addAndGet(d.content().readableBytes());
                }
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }).open().syncUninterruptibly().getNow();
        slow.config().setAutoRead(false); // what arrives stays unread: the stream's window is not given back
        slow.writeAndFlush(new DefaultHttp2HeadersFrame(headers("GET", "/for-a-slow-reader"), true));
        slow.read();
        headers.get(10, TimeUnit.SECONDS);
        // the instance writes as fast as it may: it stops once the stream's window, the router's read and the sockets are full
        awaitStopsGrowing(slowWritten::get);
        long held = slowWritten.get();
        assertThat(held).as("bytes the instance could write to a client that reads nothing").isLessThan(32L * 1024 * 1024);
        slow.config().setAutoRead(true); // the client reads again: the answer flows on
        slow.read();
        await().atMost(Duration.ofSeconds(10)).until(() -> slowWritten.get() > held + 4L * 1024 * 1024);
        assertThat(read.get()).isPositive();
        slow.close().syncUninterruptibly();
        connection.close().syncUninterruptibly();
    }

    @Test
    void anInstanceThatReadsNothingHoldsTheUploadBackNotTheRoutersMemory() throws Exception {
        Channel connection = connect();
        int total = 64 * 1024 * 1024;
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        ByteBuf received = Unpooled.buffer();
        Http2StreamChannel upload = new Http2StreamChannelBootstrap(connection).handler(new SimpleChannelInboundHandler<Object>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2DataFrame d) {
                    received.writeBytes(d.content());
                    if (d.isEndStream()) {
                        answer.complete(new Answer("200", bytes(received)));
                    }
                }
            }
        }).open().syncUninterruptibly().getNow();
        upload.write(new DefaultHttp2HeadersFrame(headers("POST", "/reads-later"), false));
        byte[] chunk = new byte[16384];
        for (int at = 0; at < total; at += chunk.length) { // each frame counts once the client's connection took it
            upload.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(chunk), at + chunk.length == total))
                    .addListener(f -> sent.addAndGet(f.isSuccess() ? chunk.length : 0));
        }
        upload.flush();
        // the router reads the stream on only while the instance's connection takes more, and gives the window back then
        awaitStopsGrowing(sent::get);
        assertThat(sent.get()).as("bytes of the upload sent while the instance reads nothing").isLessThan(32L * 1024 * 1024);
        mayRead.countDown();
        assertThat(new String(answer.get(30, TimeUnit.SECONDS).body, StandardCharsets.UTF_8)).isEqualTo(String.valueOf(total));
        connection.close().syncUninterruptibly();
    }

    @Test
    void aMalformedRequestIsAnsweredWith400AndItsReasonBeforeTheStreamEnds() throws Exception {
        Channel connection = connect(false); // a client that sends what HTTP/2 forbids
        // a :path Netty's codec passes on and the router refuses (what the codec refuses itself resets the stream)
        Answer refused = send(connection, headers("GET", "/a b"), null).get(10, TimeUnit.SECONDS);
        assertThat(refused.status).isEqualTo("400");
        assertThat(new String(refused.body, StandardCharsets.UTF_8)).contains(":path is not a path");
        connection.close().syncUninterruptibly();
    }

    @Test
    void anAnswerThatComesBeforeTheUploadEndedArrivesWholeBeforeTheStreamIsReset() throws Exception {
        Channel connection = connect();
        byte[] upload = new byte[8 * 1024 * 1024]; // more than the instance will take: its answer comes first
        Answer early = send(connection, "POST", "/answers-early", upload).get(20, TimeUnit.SECONDS);
        assertThat(early.status).isEqualTo("413");
        assertThat(early.body.length).as("the whole answer, past the stream's window").isEqualTo(1024 * 1024);
        connection.close().syncUninterruptibly();
    }

    /** Waits until {@code count} stopped growing (the same over two looks 250 ms apart). */
    private static void awaitStopsGrowing(java.util.function.LongSupplier count) {
        long[] last = {-1};
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() -> {
            long now = count.getAsLong();
            boolean still = now == last[0];
            last[0] = now;
            return still;
        });
    }

    private record Answer(String status, byte[] body) {
    }

    private static DefaultHttp2Headers headers(String method, String path) {
        return (DefaultHttp2Headers) new DefaultHttp2Headers(false).method(method).path(path).scheme("http").authority(HOST);
    }

    private static Channel connect() {
        return connect(true);
    }

    /** A connection to the router; {@code validate}: the client checks the fields it sends, as a well-behaved one does. */
    private static Channel connect(boolean validate) {
        return new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel c) {
                c.pipeline().addLast(Http2FrameCodecBuilder.forClient().validateHeaders(validate).build());
                c.pipeline().addLast(new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                    }
                }));
            }
        }).connect("127.0.0.1", router.port()).syncUninterruptibly().channel();
    }

    /** One request on a new stream; its answer once the stream ends (or fails, if reset). */
    private static CompletableFuture<Answer> send(Channel connection, String method, String path, byte[] body) {
        return send(connection, headers(method, path), body);
    }

    private static CompletableFuture<Answer> send(Channel connection, io.netty.handler.codec.http2.Http2Headers head, byte[] body) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        ByteBuf received = Unpooled.buffer();
        String[] status = new String[1];
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(new SimpleChannelInboundHandler<Object>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2HeadersFrame h) {
                    status[0] = status[0] == null ? h.headers().status().toString() : status[0];
                    if (h.isEndStream()) {
                        answer.complete(new Answer(status[0], bytes(received)));
                    }
                } else if (msg instanceof Http2DataFrame d) {
                    received.writeBytes(d.content());
                    if (d.isEndStream()) {
                        answer.complete(new Answer(status[0], bytes(received)));
                    }
                } else if (msg instanceof Http2ResetFrame r) {
                    answer.completeExceptionally(new IllegalStateException("reset: " + r.errorCode()));
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                answer.completeExceptionally(new IllegalStateException("the stream closed before its answer ended (status " + status[0] + ", " + received.readableBytes() + " bytes)"));
            }
        }).open().syncUninterruptibly().getNow();
        stream.write(new DefaultHttp2HeadersFrame(head, body == null));
        if (body != null) { // in DATA frames of 16 KB, as a browser uploads
            for (int at = 0; at < body.length; at += 16384) {
                int n = Math.min(16384, body.length - at);
                stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body, at, n), at + n == body.length));
            }
        }
        stream.flush();
        return answer;
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }
}
