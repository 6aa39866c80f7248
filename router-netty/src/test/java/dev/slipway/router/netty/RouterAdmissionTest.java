package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.routing.Admission;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.internal.routing.RoutingTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Admission through the real router: MaxConcurrency per instance, a FIFO queue, 503 with Retry-After when shed. */
class RouterAdmissionTest {
    private static final String HOST = "svc-abc123.localhost";
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger atOnce = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private HttpServer upstream;
    private RoutingTable table;
    private NettyRouter router;

    /** A router in front of one instance that serves MaxConcurrency 1 and holds each request until {@link #release}. */
    private void start(Admission admission) throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            try {
                release.await(30, TimeUnit.SECONDS);
                byte[] body = ("served " + served.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
                atOnce.decrementAndGet();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.start();
        table = new RoutingTable(meters, admission);
        table.put(HOST, Optional.of(Route.serving("svc-id", "svc",
                List.of(new Endpoint("i-1", "127.0.0.1", upstream.getAddress().getPort())), 1)));
        router = NettyRouter.start(table, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (router != null) {
            router.close();
            upstream.stop(0);
        }
    }

    @Test
    void requestsBeyondMaxConcurrencyWaitAndAreAllServedOneAtATime() throws Exception {
        start(new Admission(10, Duration.ofSeconds(30)));
        CompletableFuture<HttpResponse<String>> first = send();
        await().until(() -> atOnce.get() == 1);
        CompletableFuture<HttpResponse<String>> second = send();
        CompletableFuture<HttpResponse<String>> third = send();
        await().until(() -> table.sampleConcurrency("svc-id").queued() == 2);
        assertThat(table.sampleConcurrency("svc-id").peak()).as("queued requests count as demand").isEqualTo(3);

        release.countDown();

        for (CompletableFuture<HttpResponse<String>> r : List.of(first, second, third)) {
            assertThat(r.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(mostAtOnce.get()).as("requests the instance held at once").isEqualTo(1);
        assertThat(meters.get("apprunner.ShedRequests").counter().count()).isZero();
    }

    @Test
    void aFullQueueIsAnswered503WithRetryAfterAtOnce() throws Exception {
        start(new Admission(1, Duration.ofSeconds(30)));
        CompletableFuture<HttpResponse<String>> first = send();
        await().until(() -> atOnce.get() == 1);
        CompletableFuture<HttpResponse<String>> queued = send();
        await().until(() -> table.sampleConcurrency("svc-id").queued() == 1);

        HttpResponse<String> shed = send().get(30, TimeUnit.SECONDS);

        assertThat(shed.statusCode()).isEqualTo(503);
        assertThat(shed.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(shed.body()).contains("svc is at capacity", "MaxConcurrency");
        release.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(queued.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        // the router counts an exchange once its response is written, which may be just after the client has it
        await().untilAsserted(() -> {
            assertThat(meters.get("apprunner.ShedRequests").counter().count()).isEqualTo(1);
            assertThat(meters.get("apprunner.5xxStatusResponses").counter().count()).isEqualTo(1);
            assertThat(meters.get("apprunner.2xxStatusResponses").counter().count()).isEqualTo(2);
        });
    }

    @Test
    void aRequestThatWaitsTooLongIsAnswered503WithRetryAfter() throws Exception {
        start(new Admission(10, Duration.ofMillis(300)));
        CompletableFuture<HttpResponse<String>> first = send();
        await().until(() -> atOnce.get() == 1);

        HttpResponse<String> waited = send().get(30, TimeUnit.SECONDS);

        assertThat(waited.statusCode()).isEqualTo(503);
        assertThat(waited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(waited.body()).contains("instances were all busy");
        assertThat(table.sampleConcurrency("svc-id").queued()).isZero();
        release.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(served.get()).isEqualTo(1);
    }

    @Test
    void aClientThatLeavesWhileQueuedHoldsNothing() throws Exception {
        start(new Admission(10, Duration.ofSeconds(30)));
        CompletableFuture<HttpResponse<String>> first = send();
        await().until(() -> atOnce.get() == 1);
        try (Socket leaving = new Socket("127.0.0.1", router.port())) {
            OutputStream out = leaving.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().until(() -> table.sampleConcurrency("svc-id").queued() == 1);
        }
        await().until(() -> table.sampleConcurrency("svc-id").queued() == 0);

        release.countDown();

        assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(send().get(30, TimeUnit.SECONDS).body()).isEqualTo("served 2");
        await().until(() -> table.inFlight("i-1") == 0);
        assertThat(served.get()).as("the request of the client that left never reached the instance").isEqualTo(2);
        assertThat(meters.get("apprunner.ShedRequests").counter().count()).as("leaving is not being shed").isZero();
    }

    private CompletableFuture<HttpResponse<String>> send() {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/"))
                .header("Host", HOST).build(), HttpResponse.BodyHandlers.ofString());
    }
}
