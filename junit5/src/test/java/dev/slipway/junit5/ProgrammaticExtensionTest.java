package dev.slipway.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The programmatic form: a copy of the python example with its env, redeployed after its files and env change, paused and resumed. */
class ProgrammaticExtensionTest {
    private static final Path APP = copyOfPythonHello();

    @RegisterExtension
    static SlipwayServiceExtension greeter = SlipwayServiceExtension.fromDirectory(APP.toString()).named("greeter")
            .withEnv("NAME", "Grace")
            .waitingFor(Wait.http("/"));

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void aRedeploymentServesTheChangedFilesAndPauseAndResumeDoWhatTheySay() throws Exception {
        assertThat(get().body()).isEqualTo("Hello, Grace!");

        Files.writeString(APP.resolve("server.py"), Files.readString(APP.resolve("server.py")).replace("Hello", "Howdy"));
        greeter.service().redeploy();
        assertThat(get().body()).isEqualTo("Howdy, Grace!");
        greeter.service().updateEnv(java.util.Map.of("NAME", "Ada"));
        assertThat(get().body()).isEqualTo("Howdy, Ada!");

        greeter.service().pause();
        assertThat(get().statusCode()).isEqualTo(503);
        greeter.service().resume();
        assertThat(get().body()).isEqualTo("Howdy, Ada!");
        assertThat(greeter.service().logs()).anyMatch(l -> l.contains("PAUSE_SERVICE operation")).anyMatch(l -> l.contains("RESUME_SERVICE operation"));
    }

    private HttpResponse<String> get() throws Exception {
        return client.send(HttpRequest.newBuilder(greeter.uri()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Path copyOfPythonHello() {
        try {
            Path dir = Files.createTempDirectory("slipway-junit5-greeter");
            for (String file : new String[] {"server.py", "apprunner.yaml"}) {
                Files.copy(Path.of("../examples/python-hello", file), dir.resolve(file));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
