package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.testing.RawHttp;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WebSockets through the router: the upgrade passes on for a bodiless GET that asks for it, the instance's 101 comes
 * back with its Sec-WebSocket-Accept, then messages go both ways (Java's own WebSocket client against an instance that
 * echoes frames); an upgrade the instance refuses leaves the connection framed as HTTP, so bytes sent early are read as
 * the next request, never tunneled; and an Upgrade on anything else is dropped.
 */
class RouterWebSocketTest {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final List<String> heads = new CopyOnWriteArrayList<>();
    private static ScriptedUpstream upstream;
    private static NettyRouter router;

    @BeforeAll
    static void start() throws IOException {
        upstream = new ScriptedUpstream(RouterWebSocketTest::answer);
        router = upstream.routedAs("127.0.0.1");
    }

    @AfterAll
    static void stop() throws IOException {
        upstream.close();
    }

    @Test
    void messagesGoBothWaysAfterTheInstanceSwitchesProtocols() throws Exception {
        Client client = Client.open(router.port(), "/echo");
        WebSocket ws = client.ws;
        List<String> texts = client.texts;
        List<Integer> binaries = client.binaries;
        CompletableFuture<Integer> closed = client.closed;
        for (int i = 0; i < 50; i++) {
            ws.sendText("hello " + i, true).get(10, TimeUnit.SECONDS);
        }
        ws.sendBinary(ByteBuffer.allocate(1024 * 1024), true).get(10, TimeUnit.SECONDS);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> texts.size() == 50 && binaries.size() == 1);
        assertThat(texts).first().isEqualTo("hello 0");
        assertThat(texts).last().isEqualTo("hello 49");
        assertThat(binaries).containsExactly(1024 * 1024);
        assertThat(heads).anySatisfy(h -> assertThat(h.toLowerCase(Locale.ROOT)).startsWith("get /echo http/1.1\r\n")
                .contains("\r\nupgrade: websocket\r\n").contains("\r\nconnection: upgrade\r\n").contains("\r\nsec-websocket-key: "));

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }

    @Test
    void anUpgradeTheInstanceRefusesLeavesTheConnectionFramedSoEarlyBytesAreTheNextRequest() throws IOException {
        String reply = RawHttp.exchange(router.port(), "GET /not-now HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 5000);

        assertThat(reply).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("no upgrade here");
        assertThat(reply.substring(reply.indexOf("no upgrade here"))).contains("HTTP/1.1 200 OK\r\n").endsWith("ok");
        assertThat(heads).as("the early bytes were read by the router as a request of their own")
                .anySatisfy(h -> assertThat(h.toLowerCase(Locale.ROOT)).startsWith("get /smuggled http/1.1\r\n").contains("x-forwarded-for: "));
    }

    @Test
    void anUpgradeIsPassedOnForABodilessGetOnly() throws IOException {
        String reply = RawHttp.exchange(router.port(), "POST /plain HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nContent-Length: 2\r\n\r\nhi"
                + "GET /plain HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: h2c\r\nConnection: close\r\n\r\n", 5000);

        assertThat(reply).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(heads).filteredOn(h -> h.startsWith("POST /plain") || h.startsWith("GET /plain")).hasSize(2)
                .allSatisfy(h -> assertThat(h.toLowerCase(Locale.ROOT)).as("no Upgrade without the upgrade option, or on a POST")
                        .doesNotContain("upgrade"));
    }

    /**
     * An instance's drain timed out with WebSockets open: each gets a close frame (1001 going away) from the router, after
     * the frame the instance was in the middle of (sent in two halves around the eviction), and the count is a metric.
     */
    @Test
    void socketsStillOpenWhenTheirInstanceIsEvictedGetGoingAwayAfterTheFrameInProgress() throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        dev.slipway.core.internal.routing.RoutingTable table = new dev.slipway.core.internal.routing.RoutingTable(meters);
        table.put("127.0.0.1", java.util.Optional.of(dev.slipway.core.routing.Route.serving("ws-id", "ws", List.of(
                new dev.slipway.core.routing.Endpoint("instance-1", "127.0.0.1", upstream.port())), 100)));
        NettyRouter drained = NettyRouter.start(table, "127.0.0.1", 0);
        try {
            List<CompletableFuture<Integer>> closes = new java.util.ArrayList<>();
            List<List<Integer>> received = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Client client = Client.open(drained.port(), "/half");
                closes.add(client.closed);
                received.add(client.binaries);
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> halvesSent.get() >= 3);
            assertThat(table.snapshot().routes()).isNotEmpty();
            assertThat(inFlight(table, "instance-1")).as("each open socket holds its lease").isEqualTo(3);

            table.evict(List.of("instance-1"));
            rest.countDown(); // the instance sends the second halves only now

            for (int i = 0; i < 3; i++) {
                assertThat(closes.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(1001);
                assertThat(received.get(i)).as("the frame in progress arrived whole before the close").containsExactly(1000);
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> inFlight(table, "instance-1") == 0);
            assertThat(meters.get("slipway.ConnectionsClosedByDrain").tag("service", "ws").counter().count()).isEqualTo(3);
            assertThat(meters.get("apprunner.Requests").tag("service", "ws").counter().count()).as("each counted once, at its 101")
                    .isEqualTo(3);
        } finally {
            drained.close();
        }
    }

    /** A socket silent past the idle limit, and one used all along past the lifetime limit, are closed going away. */
    @Test
    void aSocketIdleTooLongOrOpenTooLongIsClosedGoingAway() throws Exception {
        dev.slipway.core.internal.routing.RoutingTable table = new dev.slipway.core.internal.routing.RoutingTable();
        table.put("127.0.0.1", java.util.Optional.of(dev.slipway.core.routing.Route.serving("ws-id", "ws", List.of(
                new dev.slipway.core.routing.Endpoint("instance-1", "127.0.0.1", upstream.port())), 100)));
        for (boolean idle : new boolean[] {true, false}) {
            dev.slipway.core.spi.RouterTimeouts timeouts = dev.slipway.core.spi.RouterTimeouts.DEFAULT.withTunnels(
                    java.time.Duration.ofMillis(idle ? 1500 : 0), java.time.Duration.ofMillis(idle ? 0 : 1500));
            NettyRouter limited = NettyRouter.start(table, "127.0.0.1", 0, timeouts);
            try {
                long opened = System.nanoTime();
                Client client = Client.open(limited.port(), "/echo");
                WebSocket ws = client.ws;
                List<String> texts = client.texts;
                CompletableFuture<Integer> closed = client.closed;
                if (idle) {
                    for (int i = 0; i < 10; i++) { // used: not idle, so not closed, for longer than the idle limit
                        ws.sendText("still here", true).get(10, TimeUnit.SECONDS);
                        int n = i + 1;
                        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> texts.size() == n);
                        org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofMillis(200)).until(() -> true);
                    }
                    assertThat(closed).as("closed while in use").isNotDone();
                } else {
                    while (!closed.isDone() && System.nanoTime() - opened < 10_000_000_000L) {
                        ws.sendText("busy", true);
                        org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofMillis(100)).until(() -> true);
                    }
                }
                assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1001);
                long lived = (System.nanoTime() - opened) / 1_000_000;
                assertThat(lived).as(idle ? "idle limit" : "lifetime limit").isGreaterThanOrEqualTo(idle ? 2000 + 1500 : 1400);
            } finally {
                limited.close();
            }
        }
    }

    private static int inFlight(dev.slipway.core.internal.routing.RoutingTable table, String instanceId) {
        return table.inFlight(instanceId);
    }

    private static final java.util.concurrent.atomic.AtomicInteger halvesSent = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.concurrent.CountDownLatch rest = new java.util.concurrent.CountDownLatch(1);

    /** A client socket (Java's own): the whole text and binary messages it received (binaries by size), its close status. */
    private static final class Client implements WebSocket.Listener {
        final List<String> texts = new CopyOnWriteArrayList<>();
        final List<Integer> binaries = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private int binary;
        WebSocket ws;

        static Client open(int port, String path) throws Exception {
            Client c = new Client();
            c.ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + path), c)
                    .get(10, TimeUnit.SECONDS);
            return c;
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                texts.add(text.toString());
                text.setLength(0);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            binary += data.remaining();
            if (last) {
                binaries.add(binary);
                binary = 0;
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
            closed.complete(status);
            return null;
        }
    }

    /** The instance: a WebSocket echo at /echo, a refused upgrade at /not-now, 200 "ok" otherwise. */
    private static boolean answer(String head, InputStream in, OutputStream out) throws IOException {
        heads.add(head);
        String path = head.split(" ")[1];
        String lower = head.toLowerCase(Locale.ROOT);
        if ((path.equals("/echo") || path.equals("/half")) && lower.contains("\r\nupgrade: websocket\r\n")) {
            String key = java.util.Arrays.stream(head.split("\r\n")).filter(l -> l.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:"))
                    .findFirst().orElseThrow().substring(18).trim();
            String accept;
            try {
                accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IOException(e);
            }
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                    + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (path.equals("/half")) { // a 1000-byte binary frame, its second half held back until the test says
                out.write(new byte[] {(byte) 0x82, 126, 0x03, (byte) 0xE8});
                out.write(new byte[500]);
                out.flush();
                halvesSent.incrementAndGet();
                try {
                    rest.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out.write(new byte[500]);
                out.flush();
                in.transferTo(OutputStream.nullOutputStream()); // until the router closes the connection
                return false;
            }
            echo(new DataInputStream(in), out);
            return false;
        }
        if (path.equals("/not-now")) {
            out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 15\r\n\r\nno upgrade here".getBytes(StandardCharsets.US_ASCII));
            return true;
        }
        int length = lower.contains("content-length: 2") ? 2 : 0;
        in.readNBytes(length);
        out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
        return true;
    }

    /** Echoes each frame (RFC 6455 §5.2) unmasked, until a close frame, which it answers. */
    private static void echo(DataInputStream in, OutputStream out) throws IOException {
        while (true) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] mask = new byte[4];
            if ((b1 & 0x80) != 0) {
                in.readFully(mask);
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
            out.write(b0);
            if (length < 126) {
                out.write((int) length);
            } else if (length < 65536) {
                out.write(126);
                out.write((int) (length >> 8));
                out.write((int) length);
            } else {
                out.write(127);
                for (int s = 56; s >= 0; s -= 8) {
                    out.write((int) (length >> s));
                }
            }
            out.write(payload);
            out.flush();
            if ((b0 & 0x0f) == 8) {
                return;
            }
        }
    }
}
