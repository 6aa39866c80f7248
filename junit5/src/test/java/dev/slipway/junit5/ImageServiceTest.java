package dev.slipway.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.backend.docker.Docker;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An image service on the Docker backend (a local busybox image; nothing is pulled), its env changed by UpdateService. */
class ImageServiceTest {
    @RegisterExtension
    static SlipwayServiceExtension box = busybox();

    @Test
    void anImageServesOnItsOwnPortAndTakesANewEnvironment() throws Exception {
        assertThat(get()).isEqualTo("hi from an image\n");

        box.service().updateEnv(Map.of("GREETING", "updated"));

        assertThat(get()).isEqualTo("updated\n");
        assertThat(box.service().logs()).anyMatch(l -> l.contains("UPDATE_SERVICE operation") && l.contains("succeeded"));
    }

    private String get() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(box.uri()).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static SlipwayServiceExtension busybox() {
        Docker.requireEngineAndBusybox(); // builds the image locally if this engine has not got it yet
        return SlipwayServiceExtension.fromImage(Docker.BUSYBOX, "8080",
                        "mkdir -p /tmp/www && echo $GREETING > /tmp/www/index.html && exec httpd -f -p $PORT -h /tmp/www")
                .withEnv("GREETING", "hi from an image").waitingFor(Wait.http("/"));
    }
}
