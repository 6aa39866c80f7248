package dev.slipway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.AssociateCustomDomainRequest;
import dev.slipway.core.api.AssociateCustomDomainResponse;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.api.DescribeCustomDomainsRequest;
import dev.slipway.core.api.DisassociateCustomDomainRequest;
import dev.slipway.core.model.CertificateValidationRecord;
import dev.slipway.core.model.CertificateValidationRecordStatus;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.CustomDomain;
import dev.slipway.core.model.CustomDomainAssociationStatus;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.testing.Curl;
import dev.slipway.core.testing.Pebble;
import dev.slipway.core.testing.TestApps;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A custom domain with a certificate from a real ACME server (Pebble), validated by DNS-01 as App Runner shapes it:
 * the CNAME records AssociateCustomDomain returns point into Slipway's own validation zone; the domain waits in
 * PENDING_CERTIFICATE_DNS_VALIDATION (no validation is tried, so none fails) until the test creates them at the
 * domain's DNS, then becomes ACTIVE; clients that trust only Pebble's root get the service over HTTP/2 and HTTP/1.1
 * (curl, and Java's HttpClient); a renewal swaps the certificate under a client loop without a failed request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmeDns01Test {
    private static final String ZONE = "acme.slipway.test";

    @TempDir
    static Path tmp;

    private AcmeDnsZone zone;
    private PebbleAndRouter started;
    private Pebble pebble;
    private Slipway slipway;
    private String shop;
    private int https;

    @BeforeAll
    void start() throws Exception {
        zone = AcmeDnsZone.start(ZONE, "127.0.0.1", 0);
        started = PebbleAndRouter.start(tmp, ZONE, zone.port(), (pebble, routerPort) -> Slipway.builder().routerPort(routerPort).httpsPort(0)
                .stateDir(tmp.resolve("state")).certificateAuthority(new AcmeCertificateAuthority(URI.create(pebble.directory()), tmp,
                        Optional.of("ops@example.com"), Optional.of(pebble.directoryTrust()), Optional.of(zone), Optional.of(pebble.resolver()),
                        Optional.of(LocalCertificateAuthority.open(tmp.resolve("state"))))).build());
        pebble = started.pebble();
        slipway = started.slipway();
        https = slipway.httpsPort().orElseThrow();
        Path repo = tmp.resolve("shop");
        TestApps.gitRepositoryWithGreeter(repo, "Welcome", "Jane");
        CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("shop").sourceConfiguration(
                SourceConfiguration.of(new CodeRepository(repo.toUri().toString(), SourceCodeVersion.branch("main"), null, null))).build());
        created.operation().awaitSuccess(Duration.ofMinutes(2));
        shop = created.service().serviceArn();
    }

    @AfterAll
    void stop() {
        started.close();
        zone.close();
    }

    @Test
    void theDomainIsActiveOnceTheValidationRecordsExistAndServesOverHttp2AndHttp11() throws Exception {
        AssociateCustomDomainResponse r = slipway.associateCustomDomain(new AssociateCustomDomainRequest(shop, "shop.example.com", true));
        assertThat(r.customDomain().status()).isEqualTo(CustomDomainAssociationStatus.CREATING);
        CustomDomain pending = await().atMost(Duration.ofSeconds(30)).until(() -> domain("shop.example.com"),
                d -> d.status() == CustomDomainAssociationStatus.PENDING_CERTIFICATE_DNS_VALIDATION);
        assertThat(pending.certificateValidationRecords()).extracting(CertificateValidationRecord::name)
                .containsExactly("_acme-challenge.shop.example.com", "_acme-challenge.www.shop.example.com");
        assertThat(pending.certificateValidationRecords()).allSatisfy(v -> {
            assertThat(v.type()).isEqualTo("CNAME");
            assertThat(v.value()).endsWith("." + ZONE);
            assertThat(v.status()).isEqualTo(CertificateValidationRecordStatus.PENDING_VALIDATION);
        });

        // polls without the records (one every 2 s): it stays pending, nothing is tried, so nothing fails
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() -> domain("shop.example.com").status()
                == CustomDomainAssociationStatus.PENDING_CERTIFICATE_DNS_VALIDATION);

        for (CertificateValidationRecord v : pending.certificateValidationRecords()) {
            pebble.addCname(v.name(), v.value()); // what the domain's owner does at their DNS provider
        }
        CustomDomain active = await().atMost(Duration.ofMinutes(1)).until(() -> domain("shop.example.com"),
                d -> d.status() == CustomDomainAssociationStatus.ACTIVE);
        assertThat(active.certificateValidationRecords()).extracting(CertificateValidationRecord::status)
                .containsOnly(CertificateValidationRecordStatus.SUCCESS);

        Path root = pebble.root();
        for (String name : List.of("shop.example.com", "www.shop.example.com")) {
            for (String version : List.of("--http2", "--http1.1")) {
                Curl.Result got = Curl.https(name, https, "/", root, version);
                assertThat(got.exitCode()).as(name + " " + version + ": " + got.stderr()).isZero();
                assertThat(got.body()).isEqualTo("Welcome, Jane!");
            }
        }
        HttpClient java = HttpClient.newBuilder().sslContext(Pebble.trusting(root)).build();
        HttpResponse<String> viaJava = java.send(HttpRequest.newBuilder(URI.create("https://shop.example.com:" + https + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(viaJava.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(viaJava.body()).isEqualTo("Welcome, Jane!");

        // a renewal swaps the certificate while a client keeps asking: no request fails
        BigInteger before = serial("www.shop.example.com", root);
        AtomicBoolean looping = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Thread loop = new Thread(() -> {
            while (looping.get()) {
                try {
                    HttpResponse<String> one = java.send(HttpRequest.newBuilder(URI.create("https://www.shop.example.com:" + https + "/")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    (one.statusCode() == 200 ? ok : failed).incrementAndGet();
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
            }
        });
        loop.start();
        slipway.renewCertificate(shop, "shop.example.com");
        await().atMost(Duration.ofMinutes(1)).until(() -> !serial("www.shop.example.com", root).equals(before));
        await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() > 20);
        looping.set(false);
        loop.join();
        assertThat(failed.get()).as("requests failed during the renewal (of " + ok.get() + ")").isZero();
        assertThat(domain("shop.example.com").status()).isEqualTo(CustomDomainAssociationStatus.ACTIVE);
        assertThat(slipway.logLines("shop", "events")).anyMatch(l -> l.contains("Custom domain shop.example.com: certificate renewed"));

        slipway.disassociateCustomDomain(new DisassociateCustomDomainRequest(shop, "shop.example.com"));
        assertThat(Curl.https("shop.example.com", https, "/", null).status()).isEqualTo(404);
        assertThat(Curl.https("shop.example.com", https, "/", root).exitCode()).as("its certificate is gone too").isEqualTo(60);
    }

    private CustomDomain domain(String name) {
        return slipway.describeCustomDomains(new DescribeCustomDomainsRequest(shop, null, null)).customDomains().stream()
                .filter(d -> d.domainName().equals(name)).findFirst().orElseThrow();
    }

    /** The serial number of the certificate the router presents for {@code name}. */
    private BigInteger serial(String name, Path root) throws Exception {
        try (SSLSocket socket = (SSLSocket) Pebble.trusting(root).getSocketFactory().createSocket("127.0.0.1", https)) {
            SSLParameters p = socket.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(name)));
            socket.setSSLParameters(p);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
