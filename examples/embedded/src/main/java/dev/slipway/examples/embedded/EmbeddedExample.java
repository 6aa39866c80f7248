package dev.slipway.examples.embedded;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.api.DeleteServiceRequest;
import dev.slipway.core.model.Service;
import dev.slipway.core.model.SourceConfiguration;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Slipway embedded in a Java program: build and run a sample app from its directory, call it through the router,
 * delete it, and close everything.
 *
 * <pre>
 * mvn -B -q -DskipTests install
 * java -cp "examples/embedded/target/classes:$(cat examples/embedded/target/classpath.txt)" \
 *     dev.slipway.examples.embedded.EmbeddedExample examples/python-hello
 * </pre>
 */
public final class EmbeddedExample {
    private EmbeddedExample() {
    }

    public static void main(String[] args) throws Exception {
        Path app = Path.of(args.length > 0 ? args[0] : "examples/python-hello");
        System.out.println(run(app));
    }

    /** Deploys the app in {@code appDir} (it has an apprunner.yaml), returns what its root page says, and cleans up. */
    public static String run(Path appDir) throws IOException, InterruptedException, TimeoutException {
        // snippet:embed
        try (Slipway slipway = Slipway.builder()
                .backend("local")
                .routerPort(0) // any free port
                .logListener((service, stream, line) -> {
                    if (stream.startsWith("deployment/")) {
                        System.out.println(line);
                    }
                })
                .build()) {
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder()
                    .serviceName("embedded-" + appDir.getFileName())
                    .sourceConfiguration(SourceConfiguration.directory(appDir)) // built and run as its apprunner.yaml says
                    .build());
            created.operation().awaitSuccess(Duration.ofMinutes(5)); // throws with the reason and the log's last lines
            Service service = created.service();
            System.out.println("Serving at http://" + service.serviceUrl() + "/");

            int port = slipway.directPort(service.serviceArn()); // its own port: no Host header to set
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());

            slipway.deleteService(new DeleteServiceRequest(service.serviceArn())).operation().awaitSuccess(Duration.ofMinutes(1));
            return response.body();
        } // close() stops everything it started
        // end-snippet:embed
    }
}
