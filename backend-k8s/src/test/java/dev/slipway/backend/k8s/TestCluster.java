package dev.slipway.backend.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stand-in for a Kubernetes cluster, as real as this machine allows. The API server is fabric8's mock server in
 * CRUD mode (objects are stored, listed, watched, patched, finalized as the real one does; no scheduler, no garbage
 * collector, no admission). The kubelet is {@link TestKubelet}: it runs every pod for real as a Docker container on
 * the host's network. Three endpoints that are the kubelet's in a real cluster are answered here from what the
 * {@link TestKubelet} observed: a pod's log, its metrics (metrics.k8s.io, as metrics-server gives them), and the grace
 * period of a pod's deletion (the mock keeps no deletion options). And one rule of the real API server the mock does
 * not enforce is added: an update that names a resourceVersion other than the stored one is refused (409 Conflict).
 */
public final class TestCluster implements AutoCloseable {
    private static final Pattern LOG = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(\\?.*)?");
    private static final Pattern METRICS = Pattern.compile("/apis/metrics\\.k8s\\.io/v1beta1/namespaces/([^/]+)/pods/([^/?]+)");
    private static final Pattern POD = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)(\\?.*)?");
    private static final Pattern GRACE = Pattern.compile("\"gracePeriodSeconds\"\\s*:\\s*(\\d+)");

    /** The mock server logs every request at INFO; kept referenced so the level holds. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static final String HARNESS = "slipway-test-harness";
    private static final Pattern RESOURCE = Pattern.compile(
            "/(?:api/v1|apis/([^/]+)/[^/]+)(?:/namespaces/[^/]+)?/([a-z]+)(?:/([^/?]+)(?:/([a-z]+))?)?/?(\\?.*)?");
    private final java.util.Set<String> verbsUsed = ConcurrentHashMap.newKeySet();

    private final KubernetesMockServer server;
    private final TestKubelet kubelet;
    /** Objects whose writes the API server refuses (403), as RBAC refuses a write it does not grant. */
    private final java.util.Set<String> refused = ConcurrentHashMap.newKeySet();
    /** Grace periods of pod deletions, by namespace/name. */
    private final Map<String, Long> deletionGrace = new ConcurrentHashMap<>();

    private TestCluster() {
        Dispatcher dispatcher = new Dispatcher();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(java.net.InetAddress.getLoopbackAddress(), 0);
        kubelet = new TestKubelet(server.createClient(b -> b.editOrNewConfig().withUserAgent(HARNESS).endConfig()), deletionGrace);
    }

    /** Starts the API server and the kubelet. */
    public static TestCluster start() {
        return new TestCluster();
    }

    /** A new client of the API server for a test's own checks (the caller closes it); not counted in {@link #verbsUsed()}. */
    public KubernetesClient client() {
        return server.createClient(b -> b.editOrNewConfig().withUserAgent(HARNESS).endConfig());
    }

    /**
     * What clients other than this harness and the tests did, as RBAC names it: {@code <group>/<resource> <verb>},
     * e.g. {@code /pods watch}, {@code coordination.k8s.io/leases update}, so that a test can check a Role grants it.
     */
    public java.util.Set<String> verbsUsed() {
        return java.util.Set.copyOf(verbsUsed);
    }

    /** The API server's URL, for {@code kubernetes.api-server}. */
    public String apiServer() {
        return "http://" + server.getHostName() + ":" + server.getPort();
    }

    /** Refuses every create, update and delete of the object named {@code name} until {@link #allowWrites}. */
    public void refuseWrites(String name) {
        refused.add(name);
    }

    public void allowWrites(String name) {
        refused.remove(name);
    }

    public TestKubelet kubelet() {
        return kubelet;
    }

    @Override
    public void close() {
        kubelet.close();
        server.destroy();
    }

    private final class Dispatcher extends KubernetesCrudDispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            if (!HARNESS.equals(request.getHeader("User-Agent"))) {
                record(request.getMethod(), path);
            }
            if (!"GET".equals(request.getMethod()) && refused.stream().anyMatch(n -> path.split("\\?")[0].endsWith("/" + n)
                    || body(request).contains("\"name\":\"" + n + "\""))) {
                return new MockResponse().setResponseCode(403).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
                        + "\"Failure\",\"reason\":\"Forbidden\",\"code\":403,\"message\":\"refused by the test\"}");
            }
            Matcher log = LOG.matcher(path);
            if ("GET".equals(request.getMethod()) && log.matches()) {
                return kubelet.log(log.group(1), log.group(2), query(log.group(3)))
                        .map(body -> new MockResponse().setResponseCode(200).setBody(body))
                        .orElseGet(() -> notFound(log.group(2)));
            }
            Matcher metrics = METRICS.matcher(path);
            if ("GET".equals(request.getMethod()) && metrics.matches()) {
                return kubelet.metrics(metrics.group(1), metrics.group(2))
                        .map(body -> new MockResponse().setResponseCode(200).setBody(body))
                        .orElseGet(() -> notFound(metrics.group(2)));
            }
            if ("PUT".equals(request.getMethod()) && !path.contains("/status") && conflicts(path, body(request))) {
                return new MockResponse().setResponseCode(409).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
                        + "\"Failure\",\"reason\":\"Conflict\",\"code\":409,\"message\":\"Operation cannot be fulfilled: the object "
                        + "has been modified; please apply your changes to the latest version and try again\"}");
            }
            Matcher m = POD.matcher(path);
            if ("DELETE".equals(request.getMethod()) && m.matches()) {
                Matcher grace = GRACE.matcher(body(request));
                if (grace.find()) {
                    deletionGrace.put(m.group(1) + "/" + m.group(2), Long.parseLong(grace.group(1)));
                }
            }
            return super.dispatch(request);
        }

        private void record(String method, String path) {
            Matcher r = RESOURCE.matcher(path);
            if (!r.matches() || path.startsWith("/api/v1/namespaces/") && r.group(2).equals("namespaces")) {
                return; // /version and other non-resource paths
            }
            boolean one = r.group(3) != null;
            String query = r.group(5) == null ? "" : r.group(5);
            String verb = switch (method) {
                case "GET" -> query.contains("watch=true") ? "watch" : one ? "get" : "list";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> one ? "delete" : "deletecollection";
                default -> method;
            };
            verbsUsed.add((r.group(1) == null ? "" : r.group(1)) + "/" + r.group(2) + (r.group(4) == null ? "" : "/" + r.group(4)) + " " + verb);
        }

        /** The request's body, left for the CRUD dispatcher to read. */
        private static String body(RecordedRequest request) {
            return request.getBody() == null ? "" : new String(request.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }

        /** As the real API server: an update naming a resourceVersion other than the stored one is a conflict. */
        private boolean conflicts(String path, String body) {
            try {
                String wanted = JSON.readTree(body).path("metadata").path("resourceVersion").asText("");
                MockResponse current = handleGet(path);
                if (wanted.isEmpty() || current.code() != 200) {
                    return false;
                }
                return !wanted.equals(JSON.readTree(current.getBody().readUtf8()).path("metadata").path("resourceVersion").asText(""));
            } catch (java.io.IOException e) {
                return false;
            }
        }

        private MockResponse notFound(String name) {
            return new MockResponse().setResponseCode(404).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                    + "\"reason\":\"NotFound\",\"code\":404,\"message\":\"pods \\\"" + name + "\\\" not found\"}");
        }

        private Map<String, String> query(String q) {
            Map<String, String> params = new HashMap<>();
            if (q != null && q.length() > 1) {
                for (String p : q.substring(1).split("&")) {
                    int eq = p.indexOf('=');
                    params.put(eq < 0 ? p : p.substring(0, eq),
                            eq < 0 ? "" : java.net.URLDecoder.decode(p.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return params;
        }
    }
}
