package dev.slipway.examples.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.junit5.RunningService;
import dev.slipway.junit5.SlipwayService;
import dev.slipway.junit5.SlipwayTest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Both sample apps as services for this class, built from their directories and called on their own ports. */
@SlipwayTest
class SampleAppsTest {
    @SlipwayService(source = "../python-hello")
    static RunningService python;

    @SlipwayService(source = "../node-hello", healthCheck = "/")
    static RunningService node;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void thePythonAppGreets() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(python.uri()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("Hello, Jane!");
    }

    @Test
    void theNodeAppGreetsAndItsBuildIsInTheLogs() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(node.uri()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("Jane");
        assertThat(node.logs()).anyMatch(l -> l.contains("npm install"));
    }
}
