package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * gRPC end to end through the router: a real grpc-java server as an instance that speaks HTTP/2 cleartext, a real
 * grpc-java client speaking h2c with prior knowledge to the router's plain port. Unary, server streaming, client
 * streaming and bidirectional calls; an error status with its trailers reaches the client unchanged; a deadline cancels
 * the call at the instance; and each stream is one request for admission (MaxConcurrency holds per stream).
 */
class RouterGrpcTest {
    private static final String HOST = "grpc-abc123.localhost";
    private static final String LIMITED = "limited-abc123.localhost";
    private static final Metadata.Key<String> WHY = Metadata.Key.of("x-why", Metadata.ASCII_STRING_MARSHALLER);

    private static Server server;
    private static NettyRouter router;
    private static ManagedChannel channel;
    private static ManagedChannel limitedChannel;
    private static final List<Metadata> seen = new CopyOnWriteArrayList<>();
    private static final CompletableFuture<Void> cancelled = new CompletableFuture<>();
    private static final AtomicInteger held = new AtomicInteger();
    private static final AtomicInteger mostHeld = new AtomicInteger();
    private static volatile CountDownLatch release = new CountDownLatch(1);

    @BeforeAll
    static void start() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(new Echo(), new io.grpc.ServerInterceptor() {
                    @Override
                    public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, A> call, Metadata headers,
                                                                               io.grpc.ServerCallHandler<Q, A> next) {
                        seen.add(headers);
                        return next.startCall(call, headers);
                    }
                })).build().start();
        RoutingTable table = new RoutingTable();
        List<Endpoint> endpoint = List.of(new Endpoint("i-1", "127.0.0.1", server.getPort(), true));
        table.put(HOST, Optional.of(Route.serving("svc-id", "grpc", endpoint, 100)));
        table.put(LIMITED, Optional.of(Route.serving("limited-id", "limited", endpoint, 2)));
        router = NettyRouter.start(table, "127.0.0.1", 0);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", router.port()).overrideAuthority(HOST).usePlaintext().build();
        limitedChannel = NettyChannelBuilder.forAddress("127.0.0.1", router.port()).overrideAuthority(LIMITED).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow();
        limitedChannel.shutdownNow();
        router.close();
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void aUnaryCallIsAnsweredThroughTheRouterWithTheForwardedFields() {
        SimpleResponse r = SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request("hello"));

        assertThat(r.getResponseMessage()).isEqualTo("hello");
        Metadata headers = seen.get(seen.size() - 1);
        assertThat(headers.get(Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("127.0.0.1");
        assertThat(headers.get(Metadata.Key.of("x-forwarded-proto", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("http");
    }

    @Test
    void aServerStreamComesWholeAndInOrder() {
        Iterator<SimpleResponse> stream = SimpleServiceGrpc.newBlockingStub(channel).serverStreamingRpc(request("1000"));
        List<String> got = new ArrayList<>();
        stream.forEachRemaining(r -> got.add(r.getResponseMessage()));

        assertThat(got).hasSize(1000);
        assertThat(got.get(0)).isEqualTo("0");
        assertThat(got.get(999)).isEqualTo("999");
    }

    @Test
    void aClientStreamIsReadWhole() throws Exception {
        CompletableFuture<String> answer = new CompletableFuture<>();
        StreamObserver<SimpleRequest> out = SimpleServiceGrpc.newStub(channel).clientStreamingRpc(observer(answer::complete, answer));
        for (int i = 0; i < 500; i++) {
            out.onNext(request("x".repeat(1000)));
        }
        out.onCompleted();

        assertThat(answer.get(20, TimeUnit.SECONDS)).isEqualTo("500 messages, 500000 characters");
    }

    @Test
    void aBidirectionalStreamAnswersEachMessageBeforeTheNextIsSent() throws Exception {
        LinkedBlockingQueue<String> answers = new LinkedBlockingQueue<>();
        CompletableFuture<String> ended = new CompletableFuture<>();
        StreamObserver<SimpleRequest> out = SimpleServiceGrpc.newStub(channel).bidiStreamingRpc(observer(answers::add, ended));
        for (int i = 0; i < 100; i++) {
            out.onNext(request("ping " + i));
            assertThat(answers.poll(10, TimeUnit.SECONDS)).as("the answer to message %d, before the stream ends", i).isEqualTo("ping " + i);
        }
        out.onCompleted();
        assertThat(ended.get(10, TimeUnit.SECONDS)).isEqualTo("completed");
    }

    @Test
    void anErrorStatusAndItsTrailersReachTheClientUnchanged() {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request("fail")));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(e.getStatus().getDescription()).isEqualTo("not with this input: fail");
        assertThat(e.getTrailers().get(WHY)).isEqualTo("because");
    }

    @Test
    void aDeadlineEndsTheCallAndCancelsItAtTheInstance() throws Exception {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(500, TimeUnit.MILLISECONDS).unaryRpc(request("hang")));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        cancelled.get(10, TimeUnit.SECONDS); // the instance saw its call end (its own deadline, or the router's reset)
        assertThat(SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request("after")).getResponseMessage()).isEqualTo("after");
    }

    @Test
    void eachStreamIsOneRequestForAdmission() throws Exception {
        release = new CountDownLatch(1);
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) { // over one connection: six streams at once
            CompletableFuture<String> call = new CompletableFuture<>();
            SimpleServiceGrpc.newStub(limitedChannel).unaryRpc(request("hold"), observer(call::complete, call));
            calls.add(call);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> held.get() == 2);
        assertThat(calls).noneMatch(CompletableFuture::isDone);
        release.countDown();

        for (CompletableFuture<String> call : calls) {
            assertThat(call.get(20, TimeUnit.SECONDS)).isEqualTo("hold");
        }
        assertThat(mostHeld.get()).as("MaxConcurrency 2: the other streams waited in the admission queue").isEqualTo(2);
    }

    private static SimpleRequest request(String message) {
        return SimpleRequest.newBuilder().setRequestMessage(message).build();
    }

    /** Each answer to {@code onAnswer}; the end completes {@code ended} ("completed"), an error fails it. */
    private static <T> StreamObserver<SimpleResponse> observer(java.util.function.Consumer<String> onAnswer, CompletableFuture<T> ended) {
        return new StreamObserver<>() {
            @Override
            public void onNext(SimpleResponse r) {
                onAnswer.accept(r.getResponseMessage());
            }

            @Override
            @SuppressWarnings("unchecked")
            public void onError(Throwable t) {
                ended.completeExceptionally(t);
            }

            @Override
            @SuppressWarnings("unchecked")
            public void onCompleted() {
                if (!ended.isDone()) {
                    ((CompletableFuture<Object>) ended).complete("completed");
                }
            }
        };
    }

    /** The instance: echoes, streams, fails, hangs or holds as the message says. */
    private static final class Echo extends SimpleServiceGrpc.SimpleServiceImplBase {
        @Override
        public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            String m = request.getRequestMessage();
            switch (m) {
                case "fail" -> {
                    Metadata trailers = new Metadata();
                    trailers.put(WHY, "because");
                    out.onError(Status.FAILED_PRECONDITION.withDescription("not with this input: fail").asRuntimeException(trailers));
                }
                case "hang" -> io.grpc.Context.current().addListener(c -> cancelled.complete(null), Runnable::run);
                case "hold" -> {
                    mostHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    held.decrementAndGet();
                    answer(out, m);
                }
                default -> answer(out, m);
            }
        }

        @Override
        public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            int n = Integer.parseInt(request.getRequestMessage());
            for (int i = 0; i < n; i++) {
                out.onNext(SimpleResponse.newBuilder().setResponseMessage(String.valueOf(i)).build());
            }
            out.onCompleted();
        }

        @Override
        public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> out) {
            return new StreamObserver<>() {
                int messages;
                int characters;

                @Override
                public void onNext(SimpleRequest r) {
                    messages++;
                    characters += r.getRequestMessage().length();
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    answer(out, messages + " messages, " + characters + " characters");
                }
            };
        }

        @Override
        public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(SimpleRequest r) {
                    out.onNext(SimpleResponse.newBuilder().setResponseMessage(r.getRequestMessage()).build());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    out.onCompleted();
                }
            };
        }

        private static void answer(StreamObserver<SimpleResponse> out, String message) {
            out.onNext(SimpleResponse.newBuilder().setResponseMessage(message).build());
            out.onCompleted();
        }
    }
}
