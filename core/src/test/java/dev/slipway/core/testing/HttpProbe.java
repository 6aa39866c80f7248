package dev.slipway.core.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Real HTTP requests to the router with a chosen Host header, as a browser would send to
 * {@code http://<service-domain>:<port>/}. Needs {@code -Djdk.httpclient.allowRestrictedHeaders=host}, which the
 * build sets for tests.
 */
public final class HttpProbe {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int routerPort;

    public HttpProbe(int routerPort) {
        this.routerPort = routerPort;
    }

    /** The router's port. */
    public int port() {
        return routerPort;
    }

    /** GETs {@code /} of the service at {@code serviceUrl} (host[:port], as ServiceUrl gives it). */
    public HttpResponse<String> get(String serviceUrl) throws IOException, InterruptedException {
        return send(serviceUrl, HttpRequest.newBuilder().GET());
    }

    /** GETs {@code path} (with its query) of the service at {@code serviceUrl}. */
    public HttpResponse<String> get(String serviceUrl, String path) throws IOException, InterruptedException {
        return get(serviceUrl, path, java.util.Map.of());
    }

    /** GETs {@code path} of the service at {@code serviceUrl} with {@code headers}. */
    public HttpResponse<String> get(String serviceUrl, String path, java.util.Map<String, String> headers)
            throws IOException, InterruptedException {
        String host = serviceUrl.replaceAll("^https?://", "").replaceAll("/.*$", "");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + routerPort + path)).GET()
                .header("Host", host).timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
    public static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public HttpResponse<String> send(String serviceUrl, HttpRequest.Builder request) throws IOException, InterruptedException {
        String host = serviceUrl.replaceAll("^https?://", "").replaceAll("/.*$", "");
        return client.send(request.uri(URI.create("http://127.0.0.1:" + routerPort + "/"))
                .header("Host", host).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
