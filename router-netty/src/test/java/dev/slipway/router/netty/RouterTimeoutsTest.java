package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.spi.RouterTimeouts;
import dev.slipway.core.testing.RawHttp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Slow clients and slow instances do not hold the router's connections forever: 408, idle close, 504, linger. */
class RouterTimeoutsTest {
    private static final String HOST = "svc-abc123.localhost";
    private static final RoutingTable TABLE = new RoutingTable();
    private static final CountDownLatch NEVER = new CountDownLatch(1);
    private static HttpServer upstream;
    private static NettyRouter router;

    @BeforeAll
    static void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes(); // waits for the whole body
            if (exchange.getRequestURI().getPath().equals("/hang")) {
                try {
                    NEVER.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        upstream.start();
        TABLE.put(HOST, Optional.of(Route.serving("svc-id", "svc",
                List.of(new Endpoint("one", "127.0.0.1", upstream.getAddress().getPort())), 100)));
        router = NettyRouter.start(TABLE, "127.0.0.1", 0,
                new RouterTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1)));
    }

    @AfterAll
    static void stop() {
        NEVER.countDown();
        router.close();
        upstream.stop(0);
    }

    @Test
    void headersThatDoNotArriveInTimeGet408AndTheConnectionCloses() throws IOException {
        assertThat(exchange("GET / HTTP/1.1\r\nHost: " + HOST)).startsWith("HTTP/1.1 408 ").contains("did not arrive in time");
    }

    @Test
    void anIdleConnectionIsClosedAlsoAfterARequest() throws IOException {
        assertThat(exchange("")).isEmpty();
        assertThat(exchange("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n")).startsWith("HTTP/1.1 200 ").endsWith("ok");
    }

    @Test
    void anInstanceThatDoesNotAnswerInTimeGives504() throws IOException {
        assertThat(exchange("GET /hang HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n")).startsWith("HTTP/1.1 504 ").contains("request timeout");
    }

    @Test
    void aBodyThatNeverEndsGives504() throws IOException {
        assertThat(exchange("POST / HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 100\r\n\r\nonly ten b"))
                .startsWith("HTTP/1.1 504 ");
    }

    @Test
    void aRequestTheRouterAnswersItselfDoesNotHoldItsConnectionForABodyThatDoesNotCome() throws IOException {
        for (String request : List.of("POST / HTTP/1.1\r\nHost: nope.localhost\r\nContent-Length: 1000000000000\r\n\r\n",
                "POST / HTTP/1.1\r\nHost: nope.localhost\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\nsome",
                "POST / HTTP/1.1\r\nHost: " + HOST + "\r\nExpect: something-else\r\nContent-Length: 5\r\n\r\n")) {
            assertThat(exchange(request)).as(request).matches("(?s)HTTP/1.1 4\\d\\d .*").containsIgnoringCase("connection: close");
        }
    }

    private static String exchange(String request) throws IOException {
        return RawHttp.exchange(router.port(), request, 10000);
    }
}
