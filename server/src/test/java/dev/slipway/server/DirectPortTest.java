package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.api.DeleteServiceRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A service's own port: plain http://127.0.0.1:<port>/ from Java's HttpClient, no Host header; closed with the service. */
class DirectPortTest {
    @TempDir
    Path tmp;

    @Test
    void aServiceGetsAPortOfItsOwnAtCreationThatHttpClientCallsAsItIsAndDeletionClosesIt() throws Exception {
        try (Slipway slipway = Slipway.builder().backend("fake").routerPort(0).directPorts(true).stateDir(tmp.resolve("state")).build()) {
            TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Jane");
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("direct")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(tmp.resolve("app").toString(),
                            SourceCodeVersion.branch("main"), null, null))).build());
            created.operation().awaitSuccess(Duration.ofSeconds(30));
            int port = slipway.directPort(created.service().serviceArn());
            assertThat(slipway.directPort(created.service().serviceArn())).isEqualTo(port);
            assertThat(created.service().serviceUrl()).as("the ServiceUrl stays App Runner-shaped").startsWith("direct-");

            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).as("the fake instance's revision and id").matches("r\\S+ \\S+");
            slipway.deleteService(new DeleteServiceRequest(created.service().serviceArn()));
            await().atMost(Duration.ofSeconds(10)).until(() -> !HttpProbe.listening(port));
        }
    }
}
