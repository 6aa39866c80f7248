package dev.slipway.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** @SlipwayTest with a service for the class and a fresh one per test, called with a plain HttpClient. */
@SlipwayTest
class SlipwayTestAnnotationTest {
    private static final Set<String> FRESH_ARNS = ConcurrentHashMap.newKeySet();
    private final HttpClient client = HttpClient.newHttpClient();

    @SlipwayService(source = "../examples/python-hello", healthCheck = "/")
    static RunningService shared;

    @SlipwayService(source = "../examples/python-hello", name = "fresh", env = "NAME=Ada")
    RunningService fresh;

    @Test
    void theClassServiceAnswersOnItsOwnPortAndKeepsItsLogs() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(shared.uri()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("Hello, Jane!");
        assertThat(shared.uri().toString()).matches("http://127\\.0\\.0\\.1:\\d+/");
        assertThat(shared.serviceUrl()).matches("http://python-hello-[0-9a-f]{6}-[0-9a-f]{6}\\.localhost:\\d+/");
        assertThat(shared.logs()).anyMatch(l -> l.contains("[AppRunner] [1/6] Pulling source code"))
                .anyMatch(l -> l.contains("CREATE_SERVICE operation") && l.contains("succeeded"));
    }

    @Test
    void eachTestGetsAFreshServiceOfItsOwn() throws Exception {
        assertThat(FRESH_ARNS.add(fresh.arn())).as("a service no other test had").isTrue();
        assertThat(fresh.name()).startsWith("fresh-");
        assertThat(client.send(HttpRequest.newBuilder(fresh.uri()).build(), HttpResponse.BodyHandlers.ofString()).body())
                .as("env over apprunner.yaml's NAME").isEqualTo("Hello, Ada!");
    }

    @Test
    void anotherTestAnotherFreshService() {
        assertThat(FRESH_ARNS.add(fresh.arn())).as("a service no other test had").isTrue();
        assertThat(fresh.uri()).isNotEqualTo(shared.uri());
    }
}
