package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateAutoScalingConfigurationRequest;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.DescribeServiceRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.ServiceStatus;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.routing.Route;
import dev.slipway.core.testing.TestApps;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale to zero (MinSize 0, allowed by the server): a service idle past the limit has no instance left (its process
 * gone), stays RUNNING with 0 active instances; then five concurrent requests wait while one instance starts, and all
 * are answered; the cold start is in the service's events and a metric. A server that does not allow it refuses MinSize
 * 0 with the model's rule and what to do.
 */
class ScaleToZeroIT {
    @TempDir
    Path tmp;

    @Test
    void anIdleServiceScalesToZeroAndTheNextRequestsStartOneInstance() throws Exception {
        TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Zero");
        try (Slipway slipway = Slipway.builder().routerPort(0).stateDir(tmp.resolve("state")).allowedSourceDirectories(List.of(tmp))
                .scaleToZero(Duration.ofSeconds(3)).build()) {
            String asc = slipway.createAutoScalingConfiguration(new CreateAutoScalingConfigurationRequest("to-zero", 10, 0, 2, null))
                    .autoScalingConfiguration().autoScalingConfigurationArn();
            var created = slipway.createService(CreateServiceRequest.builder().serviceName("sleepy").autoScalingConfigurationArn(asc)
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(tmp.resolve("app").toString(),
                            SourceCodeVersion.branch("main"), null, null))).build());
            created.operation().awaitSuccess(Duration.ofMinutes(1));
            String arn = created.service().serviceArn();
            URI uri = URI.create("http://127.0.0.1:" + slipway.directPort(arn) + "/");
            HttpClient http = HttpClient.newHttpClient();
            assertThat(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("Hello, Zero!");
            long firstPid = pid(slipway, 0);

            await().atMost(Duration.ofSeconds(40)).until(() -> route(slipway, created.service().serviceUrl()).state() == Route.State.IDLE);
            await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(firstPid).map(p -> !p.isAlive()).orElse(true));
            assertThat(slipway.describeService(new DescribeServiceRequest(arn)).service().status()).isEqualTo(ServiceStatus.RUNNING);
            assertThat(slipway.meterRegistry().get("apprunner.ActiveInstances").tag("service", "sleepy").gauge().value()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> slipway.logLines("sleepy", "events").stream()
                    .anyMatch(l -> l.contains("to 0 instances (no request for 3 s: scaled to zero")));

            List<CompletableFuture<HttpResponse<String>>> first = IntStream.range(0, 5).mapToObj(i ->
                    http.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())).toList();
            for (var answer : first) {
                HttpResponse<String> r = answer.get();
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("Hello, Zero!");
            }
            pid(slipway, 1); // the woken instance's output is in its log
            assertThat(slipway.logStreams("sleepy")).filteredOn(s -> s.startsWith("instance/")).as("one instance started for all five")
                    .hasSize(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> slipway.logLines("sleepy", "events").stream()
                    .anyMatch(l -> l.matches("Cold start: the first request waited \\d+\\.\\d\\d s for an instance")));
            assertThat(slipway.meterRegistry().get("slipway.ColdStart").tag("service", "sleepy").timer().count()).isEqualTo(1);
        }
    }

    @Test
    void aServerThatDoesNotAllowItRefusesMinSizeZero() {
        try (Slipway slipway = Slipway.builder().backend("local").routerPort(-1).stateDir(tmp.resolve("plain")).build()) {
            assertThatThrownBy(() -> slipway.createAutoScalingConfiguration(new CreateAutoScalingConfigurationRequest("to-zero", 10, 0, 2, null)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("minSize")
                    .hasMessageContaining("--allow-scale-to-zero");
        }
    }

    /** The pid the {@code instance}-th instance printed, once its output is in its log (written as it comes, not at once). */
    private static long pid(Slipway slipway, int instance) {
        java.util.concurrent.atomic.AtomicLong pid = new java.util.concurrent.atomic.AtomicLong();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            List<String> streams = slipway.logStreams("sleepy").stream().filter(s -> s.startsWith("instance/")).toList();
            if (streams.size() <= instance) {
                return false;
            }
            slipway.logLines("sleepy", streams.get(instance)).stream().filter(l -> l.startsWith("pid=")).findFirst()
                    .ifPresent(l -> pid.set(Long.parseLong(l.substring(4))));
            return pid.get() > 0;
        });
        return pid.get();
    }

    private static Route route(Slipway slipway, String serviceUrl) {
        return slipway.routes().route(serviceUrl).orElseThrow();
    }
}
