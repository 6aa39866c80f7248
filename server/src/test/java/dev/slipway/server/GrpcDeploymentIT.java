package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.StartDeploymentRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.server.grpc.GrpcEchoApp;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through a real deployment on the local backend: a grpc-java app (HTTP/2 cleartext only) whose apprunner.yaml
 * says {@code slipway: http2: true}, called by a real grpc-java client through the router; a client loop of unary calls
 * goes on through a new deployment and loses none, and the calls move to the new revision. A second service says the
 * same with the tag {@code slipway:http2} instead.
 */
class GrpcDeploymentIT {
    @TempDir
    Path tmp;

    @Test
    void aDeploymentUnderAClientLoopLosesNoCall() throws Exception {
        Path app = app("grpc-app", "slipway:\n  http2: true\n");
        Path tagged = app("grpc-tagged", "");
        try (Slipway slipway = Slipway.builder().routerPort(0).stateDir(tmp.resolve("state")).allowedSourceDirectories(List.of(tmp)).build()) {
            var created = slipway.createService(CreateServiceRequest.builder().serviceName("grpc").sourceConfiguration(source(app)).build());
            var createdTagged = slipway.createService(CreateServiceRequest.builder().serviceName("grpc-tagged")
                    .sourceConfiguration(source(tagged)).tag("slipway:http2", "true").build());
            created.operation().awaitSuccess(Duration.ofMinutes(2));
            createdTagged.operation().awaitSuccess(Duration.ofMinutes(2));
            String arn = created.service().serviceArn();

            ManagedChannel tagChannel = channel(slipway.directPort(createdTagged.service().serviceArn()));
            assertThat(SimpleServiceGrpc.newBlockingStub(tagChannel).unaryRpc(request("tagged")).getResponseMessage())
                    .startsWith("tagged from pid ");
            tagChannel.shutdownNow();

            ManagedChannel channel = channel(slipway.directPort(arn));
            var stub = SimpleServiceGrpc.newBlockingStub(channel);
            String oldPid = stub.unaryRpc(request("first")).getResponseMessage().substring("first from pid ".length());
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger calls = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Set<String> pids = ConcurrentHashMap.newKeySet();
            Thread loop = new Thread(() -> {
                while (running.get() && failure.get() == null) {
                    try {
                        String answer = stub.withDeadlineAfter(10, TimeUnit.SECONDS).unaryRpc(request("n" + calls.get())).getResponseMessage();
                        assertThat(answer).startsWith("n" + calls.get() + " from pid ");
                        pids.add(answer.substring(answer.indexOf(" from pid ") + 10));
                        calls.incrementAndGet();
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }
            }, "grpc-client-loop");
            loop.start();
            var deployment = slipway.startDeployment(new StartDeploymentRequest(arn));
            deployment.operation().awaitSuccess(Duration.ofMinutes(2));
            await().atMost(Duration.ofSeconds(30)).until(() -> pids.size() > 1 || failure.get() != null);
            int before = calls.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() > before + 50 || failure.get() != null);
            running.set(false);
            loop.join(20_000);
            channel.shutdownNow();

            assertThat(failure.get()).as("no call failed").isNull();
            assertThat(pids).as("calls reached the old revision, then the new one").contains(oldPid).hasSizeGreaterThan(1);
            assertThat(calls.get()).isGreaterThan(100);
        }
    }

    private Path app(String name, String extra) throws Exception {
        Path app = Files.createDirectories(tmp.resolve(name));
        String java = ProcessHandle.current().info().command().orElse("java");
        // the class path in an argument file: a command line of its own would be long
        Files.writeString(app.resolve("cp.args"), "-cp " + System.getProperty("java.class.path"));
        Files.writeString(app.resolve("apprunner.yaml"), "version: 1.0\nruntime: python3\nrun:\n  command: '" + java + " @cp.args "
                + GrpcEchoApp.class.getName() + "'\n" + extra);
        return app;
    }

    private static SourceConfiguration source(Path app) {
        return SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"), null, null));
    }

    private static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    private static SimpleRequest request(String message) {
        return SimpleRequest.newBuilder().setRequestMessage(message).build();
    }
}
