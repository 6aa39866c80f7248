package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import dev.slipway.core.routing.Route;
import dev.slipway.core.testing.TestApps;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost under load: while client threads call a real service (local processes, the real router) without pause,
 * StartDeployment, UpdateService, scale-out and scale-in happen, and not one request fails or loses its connection.
 */
class ZeroLossUnderLoadTest {
    @TempDir
    Path tmp;

    @Test
    void deploymentsUpdatesAndScalingUnderContinuousLoadFailNoRequest() throws Exception {
        try (Slipway slipway = Slipway.builder().routerPort(0).stateDir(tmp.resolve("state")).autoscaling(false).build()) {
            TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Jane");
            CodeRepository repository = new CodeRepository(tmp.resolve("app").toString(), SourceCodeVersion.branch("main"), null, null);
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("busy")
                    .sourceConfiguration(SourceConfiguration.of(repository)).build());
            created.operation().awaitSuccess(Duration.ofSeconds(60));
            String arn = created.service().serviceArn();
            String host = created.service().serviceUrl();
            int port = slipway.routerPort().orElseThrow();

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger succeeded = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicReference<String> lastBody = new AtomicReference<>();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                Thread loop = new Thread(() -> {
                    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                            .header("Host", host).timeout(Duration.ofSeconds(30)).build();
                    while (running.get()) {
                        try {
                            HttpResponse<String> r = client.send(get, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                succeeded.incrementAndGet();
                                lastBody.set(r.body());
                            } else {
                                failures.add(r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                }, "load-" + c);
                loop.start();
                clients.add(loop);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> succeeded.get() > 50);

            slipway.startDeployment(new StartDeploymentRequest(arn)).operation().awaitSuccess(Duration.ofSeconds(60));
            int afterDeployment = succeeded.get();

            CodeConfigurationValues ada = new CodeConfigurationValues(dev.slipway.core.model.Runtime.PYTHON_3, null, "python server.py", "8080",
                    Map.of("NAME", "Ada"), null);
            slipway.updateService(new UpdateServiceRequest(arn, SourceConfiguration.of(new CodeRepository(repository.repositoryUrl(),
                    repository.sourceCodeVersion(), new CodeConfiguration(ConfigurationSource.API, ada), null)),
                    null, null, null, null, null)).operation().awaitSuccess(Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(10)).until(() -> "Hello, Ada!".equals(lastBody.get()));

            slipway.scaleTo(arn, 3).get(60, TimeUnit.SECONDS);
            assertThat(endpoints(slipway, host)).isEqualTo(3);
            int beforeScaleIn = succeeded.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> succeeded.get() > beforeScaleIn + 50);
            slipway.scaleTo(arn, 1).get(60, TimeUnit.SECONDS);
            assertThat(endpoints(slipway, host)).isEqualTo(1);
            int afterScaleIn = succeeded.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> succeeded.get() > afterScaleIn + 50);

            running.set(false);
            for (Thread t : clients) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertThat(failures).as("failed requests among %d", succeeded.get() + failures.size()).isEmpty();
            assertThat(afterDeployment).isGreaterThan(50);
            assertThat(lastBody.get()).isEqualTo("Hello, Ada!");
        }
    }

    private static int endpoints(Slipway slipway, String url) {
        return slipway.routes().route(url).map(Route::endpoints).map(List::size).orElse(0);
    }
}
