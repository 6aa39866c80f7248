package dev.slipway.core.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real ACME server for tests, as Debian packages it: {@code pebble}, with {@code pebble-challtestsrv} as the DNS of
 * the domains under test (every name resolves to 127.0.0.1; records are added through its management API, as a user
 * adds them at their DNS provider) and {@code unbound} as the recursive resolver Pebble validates through, which
 * follows a CNAME from the domains' DNS into a zone another server answers (Slipway's validation zone), as resolvers
 * on the internet do. Pebble's HTTP-01 validations go to {@code httpPort} (the router's), its directory is served over
 * HTTPS with a certificate for localhost that {@link #directoryTrust()} holds. Everything stops with {@link #close()}.
 */
public final class Pebble implements AutoCloseable {
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final int directoryPort;
    private final int managementPort;
    private final int challtestManagementPort;
    private final int resolverPort;
    private final HttpClient http;

    private Pebble(Path dir, int httpPort, String delegatedZone, int delegatedZonePort) throws IOException, InterruptedException {
        this.dir = dir;
        Files.createDirectories(dir);
        directoryPort = freePort();
        managementPort = freePort();
        challtestManagementPort = freePort();
        resolverPort = freePort();
        int challtestDns = freePort();
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString());
        start(List.of("pebble-challtestsrv", "-dns01", "127.0.0.1:" + challtestDns, "-http01", "", "-https01", "",
                "-tlsalpn01", "", "-management", "127.0.0.1:" + challtestManagementPort, "-defaultIPv6", ""), "challtestsrv");
        StringBuilder unbound = new StringBuilder("""
                server:
                  interface: 127.0.0.1
                  port: %d
                  do-not-query-localhost: no
                  do-daemonize: no
                  use-syslog: no
                  logfile: ""
                  username: ""
                  chroot: ""
                  directory: "%s"
                  pidfile: ""
                  module-config: "iterator"
                  qname-minimisation: no
                  cache-max-ttl: 0
                  cache-max-negative-ttl: 0
                  access-control: 127.0.0.0/8 allow
                  domain-insecure: "."
                """.formatted(resolverPort, dir));
        if (delegatedZone != null) {
            unbound.append("""
                    stub-zone:
                      name: "%s"
                      stub-addr: 127.0.0.1@%d
                    """.formatted(delegatedZone, delegatedZonePort));
        }
        unbound.append("""
                forward-zone:
                  name: "."
                  forward-addr: 127.0.0.1@%d
                """.formatted(challtestDns));
        Files.writeString(dir.resolve("unbound.conf"), unbound);
        // Debian puts unbound in /usr/sbin, which a non-root PATH may lack
        String unboundBinary = Files.isExecutable(Path.of("/usr/sbin/unbound")) ? "/usr/sbin/unbound" : "unbound";
        start(List.of(unboundBinary, "-d", "-c", dir.resolve("unbound.conf").toString()), "unbound");
        Files.writeString(dir.resolve("pebble.json"), """
                {"pebble": {"listenAddress": "127.0.0.1:%d", "managementListenAddress": "127.0.0.1:%d",
                  "certificate": "%s", "privateKey": "%s", "httpPort": %d, "tlsPort": %d,
                  "ocspResponderURL": "", "externalAccountBindingRequired": false}}
                """.formatted(directoryPort, managementPort, dir.resolve("cert.pem"), dir.resolve("key.pem"), httpPort, freePort()));
        ProcessBuilder pebble = new ProcessBuilder("pebble", "-config", dir.resolve("pebble.json").toString(),
                "-dnsserver", "127.0.0.1:" + resolverPort);
        pebble.environment().put("PEBBLE_VA_NOSLEEP", "1");
        pebble.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
        pebble.environment().put("PEBBLE_AUTHZREUSE", "0");
        start(pebble, "pebble");
        http = HttpClient.newBuilder().sslContext(trusting(dir.resolve("cert.pem"))).build();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(URI.create(directory())).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }

    /**
     * Starts Pebble validating HTTP-01 at {@code httpPort} on 127.0.0.1, resolving through unbound, which sends
     * {@code delegatedZone} (null: none) to the DNS server on {@code delegatedZonePort} and every other name to
     * challtestsrv.
     */
    public static Pebble start(Path dir, int httpPort, String delegatedZone, int delegatedZonePort) {
        try {
            return new Pebble(dir, httpPort, delegatedZone, delegatedZonePort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The ACME directory URL. */
    public String directory() {
        return "https://localhost:" + directoryPort + "/dir";
    }

    /** The PEM file of the certificate Pebble serves its directory with (for {@code --acme-ca-bundle}). */
    public Path directoryTrust() {
        return dir.resolve("cert.pem");
    }

    /** {@code host:port} of the resolver Pebble validates through. */
    public String resolver() {
        return "127.0.0.1:" + resolverPort;
    }

    /** Pebble's root certificate of this run, PEM, written to a file for clients to trust (curl --cacert). */
    public Path root() throws IOException, InterruptedException {
        String pem = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + managementPort + "/roots/0")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Path file = dir.resolve("pebble-root.pem");
        Files.writeString(file, pem);
        return file;
    }

    /** Adds a CNAME record at the domains' DNS, as the owner of a domain does at their DNS provider. */
    public void addCname(String host, String target) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + challtestManagementPort + "/set-cname")).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"host\":\"" + host + "\",\"target\":\"" + target + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("challtestsrv refused the CNAME " + host + ": " + r.statusCode() + " " + r.body());
        }
    }

    private void start(List<String> command, String name) throws IOException {
        start(new ProcessBuilder(command), name);
    }

    private void start(ProcessBuilder pb, String name) throws IOException {
        pb.redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        processes.add(pb.start());
    }

    private void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(dir.resolve("openssl.log")));
        }
    }

    /** A TLS context that trusts exactly the PEM certificates of {@code pem}. */
    public static SSLContext trusting(Path pem) {
        try (var in = Files.newInputStream(pem)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("c" + store.size(), c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
