package dev.slipway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.tls.IssuedCertificate;
import dev.slipway.router.netty.NettyRouter;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC over TLS: a grpc-java client that trusts only the local CA calls through the router's HTTPS port (HTTP/2 chosen
 * by ALPN, the certificate chosen by the name it asks for) a grpc-java server that speaks HTTP/2 cleartext.
 */
class GrpcOverTlsTest {
    private static final String HOST = "grpc.example.com";

    @TempDir
    static Path tmp;

    private static Server server;
    private static NettyRouter router;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new SimpleServiceGrpc.SimpleServiceImplBase() {
            @Override
            public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
                for (int i = 0; i < 3; i++) {
                    out.onNext(SimpleResponse.newBuilder().setResponseMessage(request.getRequestMessage() + " " + i).build());
                }
                out.onCompleted();
            }
        }).build().start();
        LocalCertificateAuthority authority = LocalCertificateAuthority.open(tmp);
        Map<String, IssuedCertificate> issued = new ConcurrentHashMap<>();
        RoutingTable table = new RoutingTable();
        table.put(HOST, Optional.of(Route.serving("svc-id", "grpc", List.of(new Endpoint("i-1", "127.0.0.1", server.getPort(), true)), 100)));
        router = NettyRouter.start(table, "127.0.0.1", 0);
        int https = router.openHttps(0, name -> Optional.of(issued.computeIfAbsent(name == null ? "default.example" : name,
                n -> authority.issueAtOnce(List.of(n)).orElseThrow())));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", https).overrideAuthority(HOST)
                .sslContext(GrpcSslContexts.forClient().trustManager(authority.rootCertificateFile().toFile()).build()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow();
        router.close();
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void aStreamingCallGoesThroughTheRoutersTls() {
        List<String> got = new ArrayList<>();
        SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .serverStreamingRpc(SimpleRequest.newBuilder().setRequestMessage("tls").build())
                .forEachRemaining(r -> got.add(r.getResponseMessage()));

        assertThat(got).containsExactly("tls 0", "tls 1", "tls 2");
    }
}
