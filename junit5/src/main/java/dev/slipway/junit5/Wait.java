package dev.slipway.junit5;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** What makes a running service ready for a test, beyond App Runner's own health check passing. */
@FunctionalInterface
public interface Wait {
    /** Returns once {@code service} is ready, or throws if it did not become ready within {@code timeout}. */
    void until(RunningService service, Duration timeout) throws InterruptedException;

    /** Ready once App Runner's health check passed (the service is RUNNING): nothing more to wait for. */
    static Wait running() {
        return (service, timeout) -> { };
    }

    /** Ready once GET {@code path} answers 2xx through the router. */
    static Wait http(String path) {
        return (service, timeout) -> {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = service.uri().resolve(path.startsWith("/") ? path.substring(1) : path);
            long deadline = System.nanoTime() + timeout.toNanos();
            String last = "no answer yet";
            while (System.nanoTime() < deadline) {
                try {
                    HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() / 100 == 2) {
                        return;
                    }
                    last = "status " + r.statusCode();
                } catch (IOException e) {
                    last = e.toString();
                }
                Thread.sleep(100); // polling an HTTP endpoint: there is no event to wait on
            }
            throw new IllegalStateException("Service " + service.name() + " did not answer 2xx at " + uri + " within "
                    + timeout.toSeconds() + " s (" + last + ")");
        };
    }
}
