package dev.slipway.server.grpc;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC app as a user writes one (grpc-java, HTTP/2 cleartext only), run by Slipway as a service's instance: listens
 * on {@code PORT}; each unary call is answered with its message and this process's pid; stops gracefully on SIGTERM.
 */
public final class GrpcEchoApp extends SimpleServiceGrpc.SimpleServiceImplBase {
    private static final String PID = String.valueOf(ProcessHandle.current().pid());

    public static void main(String[] args) throws Exception {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", Integer.parseInt(System.getenv("PORT"))))
                .addService(new GrpcEchoApp()).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            try {
                server.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        server.awaitTermination();
    }

    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
        out.onNext(SimpleResponse.newBuilder().setResponseMessage(request.getRequestMessage() + " from pid " + PID).build());
        out.onCompleted();
    }
}
