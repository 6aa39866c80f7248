package dev.slipway.examples.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.junit5.SlipwayServiceExtension;
import dev.slipway.junit5.Wait;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A fresh service per test (an instance field), redeployed after its files changed. */
class RedeployTest {
    private final Path app = copyOf(Path.of("../python-hello"));

    @RegisterExtension
    final SlipwayServiceExtension greeter = SlipwayServiceExtension.fromDirectory(app.toString()).waitingFor(Wait.http("/"));

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aChangeToTheSourceIsServedAfterRedeploy() throws Exception {
        assertThat(get()).isEqualTo("Hello, Jane!");

        Path server = app.resolve("server.py");
        Files.writeString(server, Files.readString(server).replace("Hello", "Bonjour"));
        greeter.service().redeploy();

        assertThat(get()).isEqualTo("Bonjour, Jane!");
        assertThat(greeter.service().logs()).anyMatch(l -> l.contains("START_DEPLOYMENT operation") && l.contains("succeeded"));
    }

    private String get() throws Exception {
        return http.send(HttpRequest.newBuilder(greeter.uri()).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Path copyOf(Path source) {
        try {
            Path dir = Files.createTempDirectory("greeter");
            for (String file : new String[] {"server.py", "apprunner.yaml"}) {
                Files.copy(source.resolve(file), dir.resolve(file));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
