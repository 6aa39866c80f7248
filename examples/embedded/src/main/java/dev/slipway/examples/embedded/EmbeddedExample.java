package dev.slipway.examples.embedded;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.api.DeleteServiceRequest;
import dev.slipway.core.model.CodeConfiguration;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.Service;
import dev.slipway.core.model.SourceCodeVersion;
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
        // The router routes by Host; Java's HttpClient lets a program set that header only when asked to.
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
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
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(appDir.toAbsolutePath().toUri().toString(),
                            SourceCodeVersion.branch("main"), CodeConfiguration.fromRepository(), null)))
                    .build());
            created.operation().awaitSuccess(Duration.ofMinutes(5));
            Service service = created.service();
            System.out.println("Serving at http://" + service.serviceUrl() + "/");

            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + slipway.routerPort().orElseThrow() + "/"))
                    .header("Host", service.serviceUrl()).build(), HttpResponse.BodyHandlers.ofString());

            slipway.deleteService(new DeleteServiceRequest(service.serviceArn())).operation().awaitSuccess(Duration.ofMinutes(1));
            return response.body();
        }
    }
}
