package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics on the API port (no signature) counts what the router answered for each service. */
class MetricsTest {
    @TempDir
    Path tmp;

    @Test
    void theScrapeCountsEveryRequestSentByStatusClassWithLatencies() throws Exception {
        try (Slipway slipway = Slipway.builder().backend("fake").routerPort(0).stateDir(tmp.resolve("state"))
                .meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).build()) {
            ApiServer api = ApiServer.start(slipway, new ApiCredentials("AKIDMETRICS", "secret", Optional.empty()), "127.0.0.1", 0);
            try {
                TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Jane");
                CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("metered")
                        .sourceConfiguration(SourceConfiguration.of(new CodeRepository(tmp.resolve("app").toString(),
                                SourceCodeVersion.branch("main"), null, null))).build());
                created.operation().awaitSuccess(Duration.ofSeconds(30));
                HttpProbe http = new HttpProbe(slipway.routerPort().orElseThrow());
                for (int i = 0; i < 5; i++) {
                    assertThat(http.get(created.service().serviceUrl()).statusCode()).isEqualTo(200);
                }
                assertThat(scrape(api)).contains("apprunner_Requests_total{service=\"metered\"} 5.0",
                        "apprunner_2xxStatusResponses_total{service=\"metered\"} 5.0",
                        "apprunner_RequestLatency_seconds_count{service=\"metered\"} 5",
                        "apprunner_ActiveInstances{service=\"metered\"} 1.0", "apprunner_Concurrency{service=\"metered\"} 0.0",
                        "slipway_log_lines_lost_total 0.0");
                slipway.pauseService(new PauseServiceRequest(created.service().serviceArn())).operation().awaitSuccess(Duration.ofSeconds(30));
                for (int i = 0; i < 2; i++) {
                    assertThat(http.get(created.service().serviceUrl()).statusCode()).isEqualTo(503);
                }

                assertThat(scrape(api).lines().filter(l -> l.startsWith("# HELP ")))
                        .as("every meter says what it counts").isNotEmpty().allMatch(l -> l.split(" ", 4).length == 4 && !l.split(" ", 4)[3].isBlank());
                assertThat(scrape(api)).contains("apprunner_Requests_total{service=\"metered\"} 7.0",
                        "apprunner_2xxStatusResponses_total{service=\"metered\"} 5.0",
                        "apprunner_5xxStatusResponses_total{service=\"metered\"} 2.0",
                        "apprunner_4xxStatusResponses_total{service=\"metered\"} 0.0",
                        "apprunner_ActiveInstances{service=\"metered\"} 0.0");
            } finally {
                api.close();
            }
        }
    }

    /** GET /metrics without any signature. */
    private static String scrape(ApiServer api) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + api.port() + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
        return r.body();
    }
}
