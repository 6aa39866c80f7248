package dev.slipway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.Slipway;
import dev.slipway.core.api.AssociateCustomDomainRequest;
import dev.slipway.core.api.AssociateCustomDomainResponse;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.api.DescribeCustomDomainsRequest;
import dev.slipway.core.api.DisassociateCustomDomainRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.CustomDomain;
import dev.slipway.core.model.CustomDomainAssociationStatus;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.testing.Curl;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS through the real router with the local CA: each service's own domain and each custom domain gets its own
 * certificate, chosen by the name the client asks for (SNI), verified by the real curl trusting only
 * {@code local-ca.pem}; custom domains route as the guide says (www, wildcards, the more specific name wins), and go
 * when disassociated. One Slipway and two services for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpsCustomDomainsTest {
    @TempDir
    static Path tmp;

    private Slipway slipway;
    private Path ca;
    private int https;
    private String shop;
    private String blog;
    private String shopHost;
    private final List<dev.slipway.core.events.AppRunnerEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Path state = tmp.resolve("state");
        LocalCertificateAuthority local = LocalCertificateAuthority.open(state);
        ca = local.rootCertificateFile();
        slipway = Slipway.builder().routerPort(0).httpsPort(0).stateDir(state).certificateAuthority(new Refusing(local))
                .eventListener(events::add).build();
        https = slipway.httpsPort().orElseThrow();
        CreateServiceResponse a = create("shop", "Welcome");
        CreateServiceResponse b = create("blog", "Read");
        a.operation().awaitSuccess(Duration.ofMinutes(2));
        b.operation().awaitSuccess(Duration.ofMinutes(2));
        shop = a.service().serviceArn();
        blog = b.service().serviceArn();
        shopHost = a.service().serviceUrl().replaceAll(":\\d+$", "");
        assertThat(a.service().serviceUrl()).as("the service URL is its HTTPS address").endsWith(":" + https);
    }

    private CreateServiceResponse create(String name, String greeting) throws Exception {
        Path repo = tmp.resolve(name);
        TestApps.gitRepositoryWithGreeter(repo, greeting, "Jane");
        return slipway.createService(CreateServiceRequest.builder().serviceName(name).sourceConfiguration(SourceConfiguration.of(
                new CodeRepository(repo.toUri().toString(), SourceCodeVersion.branch("main"), null, null))).build());
    }

    private static volatile boolean refusing;

    /** The local CA, out of service while {@link #refusing}: what a renewal meets when the CA cannot be reached. */
    private record Refusing(LocalCertificateAuthority local) implements dev.slipway.core.spi.CertificateAuthority {
        @Override
        public String describe() {
            return local.describe();
        }

        @Override
        public java.util.Optional<dev.slipway.core.tls.IssuedCertificate> issueAtOnce(List<String> names) {
            if (refusing) {
                throw new IllegalStateException("the CA is out of service");
            }
            return local.issueAtOnce(names);
        }

        @Override
        public java.util.Optional<dev.slipway.core.tls.IssuedCertificate> fallbackCertificate(List<String> names) {
            return local.fallbackCertificate(names);
        }

        @Override
        public Order order(List<String> names, String dnsTarget) throws java.io.IOException {
            return local.order(names, dnsTarget);
        }
    }

    @AfterAll
    void stop() {
        slipway.close();
    }

    @Test
    void theLocalCaRootIsWrittenOnceForUsersToTrustAndItsKeyIsPrivate() throws Exception {
        assertThat(Files.readString(ca)).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.getPosixFilePermissions(ca.resolveSibling(LocalCertificateAuthority.KEY_FILE)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(LocalCertificateAuthority.open(ca.getParent()).rootCertificatePem()).as("opened again: the same root")
                .isEqualTo(Files.readString(ca));
    }

    @Test
    void aServiceDomainIsServedOverHttpsWithACertificateForItsName() throws Exception {
        Curl.Result r = Curl.https(shopHost, https, "/", ca, "--http1.1");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("Welcome, Jane!");
        assertThat(r.header("X-Seen-Proto")).as("X-Forwarded-Proto the instance saw").isEqualTo("https");
    }

    @Test
    void anAssociatedDomainAndItsWwwNameBecomeActiveAtOnceAndServeWithTheirOwnCertificate() throws Exception {
        AssociateCustomDomainResponse r = slipway.associateCustomDomain(new AssociateCustomDomainRequest(shop, "Shop.Example.COM.", null));
        assertThat(r.customDomain().domainName()).isEqualTo("shop.example.com");
        assertThat(r.customDomain().enableWWWSubdomain()).as("www by default").isTrue();
        assertThat(r.customDomain().status()).isEqualTo(CustomDomainAssociationStatus.CREATING);
        assertThat(r.dnsTarget()).isEqualTo(shopHost);
        awaitStatus(shop, "shop.example.com", CustomDomainAssociationStatus.ACTIVE);

        for (String name : List.of("shop.example.com", "www.shop.example.com")) {
            Curl.Result got = Curl.https(name, https, "/", ca);
            assertThat(got.exitCode()).as(name + ": " + got.stderr()).isZero();
            assertThat(got.body()).as(name).isEqualTo("Welcome, Jane!");
        }
        assertThat(new HttpProbe(slipway.routerPort().orElseThrow()).get("shop.example.com").body())
                .as("over plain HTTP too").isEqualTo("Welcome, Jane!");
        // Slipway's own events say when a certificate was issued, and renewed
        var shopCertificates = dev.slipway.core.events.EventPattern.parse("{\"detail-type\": [\"Slipway Certificate Status Change\"],"
                + " \"detail\": {\"DomainName\": [\"shop.example.com\"]}}");
        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(shopCertificates::matches));
        slipway.renewCertificate(shop, "shop.example.com");
        await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().filter(shopCertificates::matches).count() == 2);
        assertThat(events.stream().filter(shopCertificates::matches).map(e -> e.detail().get("Status")))
                .containsExactly("CertificateIssued", "CertificateRenewed");
        refusing = true; // the CA is out of service: the renewal fails, the domain stays ACTIVE with its certificate
        try {
            slipway.renewCertificate(shop, "shop.example.com");
            await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().filter(shopCertificates::matches).count() == 3);
        } finally {
            refusing = false;
        }
        var failed = events.stream().filter(shopCertificates::matches).toList().get(2);
        assertThat(failed.detail()).containsEntry("Status", "CertificateRenewalFailed").containsEntry("Severity", "ERROR");
        assertThat(failed.detail().get("Message")).contains("could not be renewed (the CA is out of service)")
                .contains("the current one serves until");
        assertThat(Curl.https("shop.example.com", https, "/", ca).body()).as("still served").isEqualTo("Welcome, Jane!");

        slipway.associateCustomDomain(new AssociateCustomDomainRequest(blog, "blog.example.org", false));
        awaitStatus(blog, "blog.example.org", CustomDomainAssociationStatus.ACTIVE);
        assertThat(Curl.https("blog.example.org", https, "/", ca).body()).as("a second service, its own certificate on the same port")
                .isEqualTo("Read, Jane!");
        assertThat(Curl.https("www.blog.example.org", https, "/", null).status()).as("www not asked for").isEqualTo(404);

        Curl.Result unknown = Curl.https("nobody.example.net", https, "/", ca);
        assertThat(unknown.exitCode()).as("an unknown name gets the default certificate, which is not for it").isEqualTo(60);
        assertThat(Curl.https("nobody.example.net", https, "/", null).status()).as("and the router's 404").isEqualTo(404);
    }

    @Test
    void aWildcardCoversTheImmediateSubdomainsAndAMoreSpecificDomainWins() throws Exception {
        slipway.associateCustomDomain(new AssociateCustomDomainRequest(shop, "*.example.io", null));
        slipway.associateCustomDomain(new AssociateCustomDomainRequest(blog, "news.example.io", false));
        awaitStatus(shop, "*.example.io", CustomDomainAssociationStatus.ACTIVE);
        awaitStatus(blog, "news.example.io", CustomDomainAssociationStatus.ACTIVE);
        assertThat(Curl.https("deals.example.io", https, "/", ca).body()).isEqualTo("Welcome, Jane!");
        assertThat(Curl.https("www.example.io", https, "/", ca).body()).isEqualTo("Welcome, Jane!");
        assertThat(Curl.https("news.example.io", https, "/", ca).body()).isEqualTo("Read, Jane!");
        assertThat(Curl.https("a.b.example.io", https, "/", null).status()).as("not an immediate subdomain").isEqualTo(404);
        assertThat(Curl.https("example.io", https, "/", null).status()).as("nor the root").isEqualTo(404);
        assertThat(slipway.describeCustomDomains(new DescribeCustomDomainsRequest(shop, null, null)).customDomains())
                .extracting(CustomDomain::domainName).contains("*.example.io");
        assertThatThrownBy(() -> slipway.associateCustomDomain(new AssociateCustomDomainRequest(blog, "*.example.dev", true)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("enableWWWSubdomain");
    }

    @Test
    void disassociatingStopsServingTheNameAndDropsItsCertificate() throws Exception {
        slipway.associateCustomDomain(new AssociateCustomDomainRequest(blog, "gone.example.org", true));
        awaitStatus(blog, "gone.example.org", CustomDomainAssociationStatus.ACTIVE);
        assertThat(Curl.https("gone.example.org", https, "/", ca).status()).isEqualTo(200);

        var r = slipway.disassociateCustomDomain(new DisassociateCustomDomainRequest(blog, "gone.example.org"));
        assertThat(r.customDomain().status()).isEqualTo(CustomDomainAssociationStatus.DELETING);
        assertThat(Curl.https("gone.example.org", https, "/", ca).exitCode()).as("its certificate is gone").isEqualTo(60);
        assertThat(Curl.https("gone.example.org", https, "/", null).status()).as("its route too").isEqualTo(404);
        assertThat(Curl.https("www.gone.example.org", https, "/", null).status()).isEqualTo(404);
        assertThat(slipway.describeCustomDomains(new DescribeCustomDomainsRequest(blog, null, null)).customDomains())
                .extracting(CustomDomain::domainName).doesNotContain("gone.example.org");
        assertThatThrownBy(() -> slipway.disassociateCustomDomain(new DisassociateCustomDomainRequest(blog, "gone.example.org")))
                .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("gone.example.org");
    }

    @Test
    void aServiceThatOptsInHasItsPlainHttpRequestsRedirectedToHttps() throws Exception {
        slipway.associateCustomDomain(new AssociateCustomDomainRequest(blog, "secure.example.org", false));
        awaitStatus(blog, "secure.example.org", CustomDomainAssociationStatus.ACTIVE);
        HttpProbe http = new HttpProbe(slipway.routerPort().orElseThrow());
        String blogHost = slipway.describeService(new dev.slipway.core.api.DescribeServiceRequest(blog)).service().serviceUrl()
                .replaceAll(":\\d+$", "");
        assertThat(http.get(blogHost).statusCode()).as("before: served over HTTP").isEqualTo(200);

        slipway.tagResource(new dev.slipway.core.api.TagResourceRequest(blog, List.of(new dev.slipway.core.model.Tag("slipway:https-redirect", "true"))));
        var redirected = http.get(blogHost);
        assertThat(redirected.statusCode()).isEqualTo(308);
        assertThat(redirected.headers().firstValue("Location")).contains("https://" + blogHost + ":" + https + "/");
        Process curl = new ProcessBuilder("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "--resolve",
                "secure.example.org:" + slipway.routerPort().orElseThrow() + ":127.0.0.1",
                "http://secure.example.org:" + slipway.routerPort().orElseThrow() + "/a/b?c=d").start();
        assertThat(new String(curl.getInputStream().readAllBytes())).as("the path and query are kept")
                .isEqualTo("308 https://secure.example.org:" + https + "/a/b?c=d");
        var custom = http.get("secure.example.org");
        assertThat(custom.statusCode()).as("its custom domains too").isEqualTo(308);
        assertThat(custom.headers().firstValue("Location")).contains("https://secure.example.org:" + https + "/");
        assertThat(http.get(shopHost).statusCode()).as("other services are not").isEqualTo(200);
        assertThat(Curl.https("secure.example.org", https, "/", ca).body()).as("and HTTPS serves").isEqualTo("Read, Jane!");

        slipway.untagResource(new dev.slipway.core.api.UntagResourceRequest(blog, List.of("slipway:https-redirect")));
        assertThat(http.get(blogHost).statusCode()).isEqualTo(200);
    }

    @Test
    void badDomainsAreRefusedNamingTheRuleAndChangeNothing() {
        List<CustomDomain> before = slipway.describeCustomDomains(new DescribeCustomDomainsRequest(blog, null, null)).customDomains();
        for (String bad : List.of("", "example", "com", "co.uk", "exa mple.com", "-x.example.com", "login*.example.com",
                "*.login.example.com", "*.*.example.com", "a..example.com", "x".repeat(64) + ".example.com",
                "blog-1.localhost", "localhost")) {
            assertThatThrownBy(() -> slipway.associateCustomDomain(new AssociateCustomDomainRequest(blog, bad, false)))
                    .as("'" + bad + "'").isInstanceOf(InvalidRequestException.class).hasMessageContaining("domainName");
        }
        assertThat(slipway.describeCustomDomains(new DescribeCustomDomainsRequest(blog, null, null)).customDomains()).isEqualTo(before);
    }

    @Test
    void aDomainIsAssociatedWithOneServiceOnlyAndAServiceHasAtMostFive() throws Exception {
        slipway.associateCustomDomain(new AssociateCustomDomainRequest(shop, "taken.example.com", true));
        assertThatThrownBy(() -> slipway.associateCustomDomain(new AssociateCustomDomainRequest(blog, "taken.example.com", false)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("already associated with service shop");
        assertThatThrownBy(() -> slipway.associateCustomDomain(new AssociateCustomDomainRequest(blog, "www.taken.example.com", false)))
                .as("its www name is taken too").isInstanceOf(InvalidRequestException.class).hasMessageContaining("shop");
        String limited = withFiveDomains();
        assertThatThrownBy(() -> slipway.associateCustomDomain(new AssociateCustomDomainRequest(limited, "six.example.com", false)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("5 custom domains");
        var page1 = slipway.describeCustomDomains(new DescribeCustomDomainsRequest(limited, null, 2));
        var page2 = slipway.describeCustomDomains(new DescribeCustomDomainsRequest(limited, page1.nextToken(), 2));
        var page3 = slipway.describeCustomDomains(new DescribeCustomDomainsRequest(limited, page2.nextToken(), 2));
        assertThat(page3.nextToken()).isNull();
        assertThat(List.of(page1, page2, page3)).flatExtracting(p -> p.customDomains()).extracting(CustomDomain::domainName)
                .containsExactly("d0.example.com", "d1.example.com", "d2.example.com", "d3.example.com", "d4.example.com");
        assertThatThrownBy(() -> slipway.describeCustomDomains(new DescribeCustomDomainsRequest(limited, null, 6)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("maxResults");
    }

    /** A new service with five domains (associated while it is being created: any status but a failed one allows it). */
    private String withFiveDomains() throws Exception {
        String arn = create("limits", "Hi").service().serviceArn();
        for (int i = 0; i < 5; i++) {
            slipway.associateCustomDomain(new AssociateCustomDomainRequest(arn, "d" + i + ".example.com", false));
        }
        return arn;
    }

    private void awaitStatus(String arn, String domain, CustomDomainAssociationStatus status) {
        await().atMost(Duration.ofSeconds(30)).until(() -> slipway.describeCustomDomains(new DescribeCustomDomainsRequest(arn, null, null))
                .customDomains().stream().anyMatch(d -> d.domainName().equals(domain) && d.status() == status));
    }
}
