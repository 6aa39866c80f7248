package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import dev.slipway.core.routing.Route;
import dev.slipway.core.testing.FakeBackend;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrency autoscaling through the real router: requests held open on a service with MaxConcurrency 1 make it
 * scale out (panic mode, at once) up to MaxSize, said in its events; every held request then completes with 200; a
 * redeployment starts the new revision at the current size.
 */
class AutoscalingTest {
    @TempDir
    Path tmp;

    @Test
    void heldRequestsScaleTheServiceOutToMaxSizeAndARedeploymentKeepsTheSize() throws Exception {
        FakeBackend fake = new FakeBackend();
        List<dev.slipway.core.events.AppRunnerEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Slipway slipway = Slipway.builder().backend(fake).routerPort(0).stateDir(tmp.resolve("state"))
                .eventListener(events::add).build()) {
            String asc = slipway.createAutoScalingConfiguration(new CreateAutoScalingConfigurationRequest("tiny", 1, 1, 4, null))
                    .autoScalingConfiguration().autoScalingConfigurationArn();
            TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Jane");
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("scaled")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(tmp.resolve("app").toString(),
                            SourceCodeVersion.branch("main"), null, null))).autoScalingConfigurationArn(asc).build());
            created.operation().awaitSuccess(Duration.ofSeconds(30));
            String url = created.service().serviceUrl();
            HttpProbe http = new HttpProbe(slipway.routerPort().orElseThrow());
            assertThat(endpoints(slipway, url)).isEqualTo(1);

            fake.slowLatch = new CountDownLatch(1);
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                held.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return http.get(url);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> endpoints(slipway, url) == 4);
            assertThat(slipway.logLines("scaled", "events")).anyMatch(l -> l.startsWith("Scaling from 1 to ")
                    && l.contains("MaxConcurrency 1, panic mode"));
            // and as an event of Slipway's own, which a pattern can select
            var scaledOut = dev.slipway.core.events.EventPattern.parse(
                    "{\"source\": [\"slipway\"], \"detail-type\": [\"Slipway Service Scaled\"], \"detail\": {\"Direction\": [\"OUT\"]}}");
            await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(scaledOut::matches));
            assertThat(events.stream().filter(scaledOut::matches).findFirst().orElseThrow().detail())
                    .containsEntry("ServiceName", "scaled").containsEntry("PreviousInstances", "1").containsKey("Instances");
            fake.slowLatch.countDown();
            for (CompletableFuture<HttpResponse<String>> r : held) {
                assertThat(r.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }

            String redeploy = slipway.startDeployment(new StartDeploymentRequest(created.service().serviceArn())).operationId();
            await().atMost(Duration.ofSeconds(30)).until(() -> slipway.listOperations(new ListOperationsRequest(
                    created.service().serviceArn(), null, null)).operationSummaryList().get(0).status() == OperationStatus.SUCCEEDED);
            assertThat(slipway.logLines("scaled", "deployment/" + redeploy)).anyMatch(l -> l.contains("Starting 4 instances"));
        }
    }

    private static int endpoints(Slipway slipway, String url) {
        return slipway.routes().route(url).map(Route::endpoints).map(List::size).orElse(0);
    }
}
