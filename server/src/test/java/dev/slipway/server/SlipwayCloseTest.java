package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import dev.slipway.core.Timeouts;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.testing.FakeBackend;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping drains: a request in flight when close() is called gets its response, through the real router. */
class SlipwayCloseTest {
    @TempDir
    Path tmp;

    @Test
    void aSlowRequestInFlightAcrossCloseCompletesWith200AndNothingIsAcceptedAfterwards() throws Exception {
        FakeBackend fake = new FakeBackend();
        Slipway slipway = Slipway.builder().backend(fake).routerPort(0).stateDir(tmp.resolve("state"))
                .timeouts(new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(1))).build();
        TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Jane");
        CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("slow-svc")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository(tmp.resolve("app").toString(),
                        SourceCodeVersion.branch("main"), null, null))).build());
        created.operation().awaitSuccess(Duration.ofSeconds(30));
        int port = slipway.routerPort().orElseThrow();
        fake.slowLatch = new CountDownLatch(1);

        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return new HttpProbe(port).get(created.service().serviceUrl());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(fake.slowArrived.await(30, TimeUnit.SECONDS)).as("the request reached the instance").isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(slipway::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> !HttpProbe.listening(port)); // close() stops accepting first
        assertThat(closing).isNotDone();
        fake.slowLatch.countDown();

        HttpResponse<String> response = slow.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        closing.get(30, TimeUnit.SECONDS);
        assertThat(fake.runningIds()).isEmpty();
    }
}
