package dev.slipway.backend.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.DataPlane;
import dev.slipway.core.routing.Admission;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.routing.RoutingSnapshot;
import dev.slipway.core.spi.RouterLimits;
import dev.slipway.core.spi.RouterTimeouts;
import dev.slipway.core.testing.HttpProbe;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routes shared through the API server between a leader and real routers that follow it: a follower serves what the
 * leader publishes, the leader's drain waits for a follower's request in flight to an instance that left the routes,
 * followers report their concurrency, a follower that stopped is not waited for, and the routes survive a change of
 * leader (the new one numbers on, and nothing is served from an older generation).
 */
class KubernetesRouteSharingTest {
    private static TestCluster cluster;
    private static KubernetesClient client;
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    /** Requests waiting at {@code /hold} now. */
    private final java.util.concurrent.atomic.AtomicInteger holding = new java.util.concurrent.atomic.AtomicInteger();
    private String namespace;

    @BeforeAll
    static void cluster() {
        cluster = TestCluster.start();
        client = cluster.client();
    }

    @AfterAll
    static void stop() {
        client.close();
        cluster.close();
    }

    @BeforeEach
    void namespace() {
        namespace = "routes-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void close() throws Exception {
        java.util.Collections.reverse(closeLater);
        for (AutoCloseable c : closeLater) {
            c.close();
        }
    }

    private KubernetesRouteSharing sharing(String identity) {
        KubernetesRouteSharing s = new KubernetesRouteSharing(client, namespace, "slipway", identity, Duration.ofSeconds(30));
        closeLater.add(s);
        return s;
    }

    private DataPlane follower(String identity) {
        DataPlane plane = DataPlane.start("127.0.0.1", 0, RouterTimeouts.DEFAULT, RouterLimits.DEFAULT, Admission.DEFAULT,
                new SimpleMeterRegistry());
        closeLater.add(plane);
        plane.follow(sharing(identity));
        return plane;
    }

    /** An instance answering its name; requests to {@code /hold} wait for {@code release}. */
    private Endpoint instance(String id, CountDownLatch release) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            if (exchange.getRequestURI().getPath().equals("/hold")) {
                holding.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = id.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        closeLater.add(() -> server.stop(0));
        return new Endpoint(id, "127.0.0.1", server.getAddress().getPort());
    }

    private static RoutingSnapshot routes(Endpoint... endpoints) {
        return new RoutingSnapshot(Map.of("app-1.localhost", Route.serving("svc1", "app", List.of(endpoints), 100),
                "paused-2.localhost", Route.paused("svc2", "paused")));
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    /** The status and body of GET {@code path} of app-1 through a router, or the error. */
    private static String body(HttpProbe probe, String path) {
        try {
            HttpResponse<String> r = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + probe.port() + path)).header("Host", "app-1.localhost").build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void aFollowerServesWhatTheLeaderPublishesAndTheLeadersDrainWaitsForItsRequestsInFlight() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Endpoint a = instance("a", release);
        Endpoint b = instance("b", release);
        KubernetesRouteSharing leader = sharing("leader");
        HttpProbe follower = new HttpProbe(follower("follower-1").port());

        leader.publish(routes(a));
        await().atMost(Duration.ofSeconds(20)).until(() -> body(follower, "/").equals("200 a"));
        assertThat(follower.get("http://paused-2.localhost/").statusCode()).as("a paused service, as the leader says").isEqualTo(503);

        List<Future<String>> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(CompletableFuture.supplyAsync(() -> body(follower, "/hold"), Executors.newSingleThreadExecutor()));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> holding.get() == 3);
        await("the follower's concurrency, for the leader's autoscaler").atMost(Duration.ofSeconds(20))
                .until(() -> leader.followersPeak("svc1") == 3);
        leader.publish(routes(b));
        assertThat(leader.awaitFollowers(Duration.ofSeconds(3)))
                .as("the follower still has a request in flight to the instance that left the routes").isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> body(follower, "/").equals("200 b"));
        release.countDown();
        assertThat(leader.awaitFollowers(Duration.ofSeconds(20))).as("drained once the request ended").isTrue();
        for (Future<String> h : held) {
            assertThat(h.get()).isEqualTo("200 a");
        }
    }

    @Test
    void aFollowerThatStoppedIsNotWaitedForAndANewLeaderGoesOnFromTheRoutesServed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Endpoint a = instance("a", release);
        Endpoint b = instance("b", release);
        KubernetesRouteSharing first = sharing("first");
        DataPlane stays = follower("stays");
        DataPlane leavingPlane = follower("leaving");
        first.publish(routes(a));
        assertThat(first.awaitFollowers(Duration.ofSeconds(20))).isTrue();
        assertThat(client.leases().inNamespace(namespace).withLabel(KubernetesRouteSharing.ROUTES, "slipway").list().getItems())
                .extracting(l -> l.getSpec().getHolderIdentity()).containsExactlyInAnyOrder("stays", "leaving");

        leavingPlane.close();
        first.close(); // the first leader is gone; a new one publishes
        KubernetesRouteSharing second = sharing("second");
        second.publish(routes(b));
        assertThat(second.awaitFollowers(Duration.ofSeconds(20))).isTrue();
        HttpProbe probe = new HttpProbe(stays.port());
        assertThat(body(probe, "/")).isEqualTo("200 b");
        assertThat(client.configMaps().inNamespace(namespace).withName("slipway-routes").get().getMetadata().getAnnotations())
                .as("numbered on from the first leader's generation, so followers apply it").containsEntry(KubernetesRouteSharing.GENERATION, "2");
        release.countDown();
    }

    @Test
    void routesSurviveTheirEncodingWhole() {
        RoutingSnapshot routes = new RoutingSnapshot(Map.of(
                "app-1.localhost", Route.serving("svc1", "app", List.of(new Endpoint("i1", "10.0.0.1", 8080), new Endpoint("i2", "::1", 1)), 7),
                "paused-2.localhost", Route.paused("svc2", "paused"),
                "gone-3.localhost", Route.unavailable("svc3", "gone", "Slipway is stopping. Try again when it runs again."),
                "empty-4.localhost", Route.serving("svc4", "empty", List.of(), 100),
                "grpc-5.localhost", Route.serving("svc5", "grpc", List.of(new Endpoint("i5", "10.0.0.5", 50051, true),
                        new Endpoint("i6", "10.0.0.6", 50051, true)), 100)
                        .splitting(new Route.Split("r2", java.util.Set.of("i6"), 10, 5))));
        assertThat(KubernetesRouteSharing.decode(KubernetesRouteSharing.encode(routes))).isEqualTo(routes);
    }
}
