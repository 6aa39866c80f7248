package dev.slipway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCSP stapling where the certificate's CA has a responder: the local CA names a real OCSP responder
 * ({@code openssl ocsp}, signing with the CA's key, from an index that lists the certificate as valid), the router
 * fetches its answer in the background and staples it, and {@code openssl s_client -status} sees a successful
 * response saying the certificate is good.
 */
class OcspStaplingTest {
    @TempDir
    Path tmp;

    @Test
    void theRespondersAnswerIsStapledToTheHandshake() throws Exception {
        int responderPort;
        try (ServerSocket s = new ServerSocket(0)) {
            responderPort = s.getLocalPort();
        }
        LocalCertificateAuthority ca = LocalCertificateAuthority.open(tmp).withOcspResponder(URI.create("http://127.0.0.1:" + responderPort));
        try (Slipway slipway = Slipway.builder().routerPort(0).httpsPort(0).stateDir(tmp.resolve("state")).certificateAuthority(ca).build()) {
            int https = slipway.httpsPort().orElseThrow();
            X509Certificate served = dev.slipway.core.testing.TlsProbe.served(https, "nobody.localhost");
            assertThat(Ocsp.responder(served)).contains(URI.create("http://127.0.0.1:" + responderPort));
            String serial = served.getSerialNumber().toString(16).toUpperCase();
            serial = serial.length() % 2 == 0 ? serial : "0" + serial; // as openssl writes it: whole bytes
            String expiry = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(served.getNotAfter().toInstant());
            Files.writeString(tmp.resolve("index.txt"), "V\t" + expiry + "\t\t" + serial
                    + "\tunknown\t/" + served.getSubjectX500Principal().getName().replace(",", "/") + "\n");
            Process responder = new ProcessBuilder("openssl", "ocsp", "-index", tmp.resolve("index.txt").toString(), "-port",
                    String.valueOf(responderPort), "-rsigner", ca.rootCertificateFile().toString(), "-rkey",
                    tmp.resolve(LocalCertificateAuthority.KEY_FILE).toString(), "-CA", ca.rootCertificateFile().toString(), "-nmin", "60")
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("ocsp.log").toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofSeconds(1)).until(() -> status(https, "nobody.localhost")
                        .contains("OCSP Response Status: successful"));
                String status = status(https, "nobody.localhost");
                assertThat(status).contains("Cert Status: good").contains("Serial Number: " + serial);
            } finally {
                responder.destroy();
                responder.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** What {@code openssl s_client -status} says of the OCSP response stapled to a handshake for {@code name}. */
    private static String status(int port, String name) throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", name, "-status")
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }
}
