package dev.slipway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.AssociateCustomDomainRequest;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.api.DescribeCustomDomainsRequest;
import dev.slipway.core.model.CertificateValidationRecord;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.CustomDomain;
import dev.slipway.core.model.CustomDomainAssociationStatus;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.testing.Curl;
import dev.slipway.core.testing.Pebble;
import dev.slipway.core.testing.TestApps;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP-01 (no validation zone): the domain already points at Slipway (challtestsrv resolves every name to 127.0.0.1,
 * and Pebble validates on the router's port), the router itself answers Pebble's challenge, the domain is ACTIVE, and
 * the validation record shown is the CNAME to the service's own domain. A wildcard is refused with the way forward,
 * and nothing is created.
 */
class AcmeHttp01Test {
    @TempDir
    Path tmp;

    @Test
    void theRouterAnswersTheChallengeAndTheDomainIsActive() throws Exception {
        try (PebbleAndRouter started = PebbleAndRouter.start(tmp, null, 0, (pebble, routerPort) -> Slipway.builder().routerPort(routerPort)
                .httpsPort(0).stateDir(tmp.resolve("state")).certificateAuthority(new AcmeCertificateAuthority(URI.create(pebble.directory()),
                        tmp, Optional.empty(), Optional.of(pebble.directoryTrust()), Optional.empty(), Optional.of(pebble.resolver()),
                        Optional.empty())).build())) {
            Pebble pebble = started.pebble();
            Slipway slipway = started.slipway();
            Path repo = tmp.resolve("blog");
            TestApps.gitRepositoryWithGreeter(repo, "Read", "Jane");
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("blog").sourceConfiguration(
                    SourceConfiguration.of(new CodeRepository(repo.toUri().toString(), SourceCodeVersion.branch("main"), null, null))).build());
            created.operation().awaitSuccess(Duration.ofMinutes(2));
            String arn = created.service().serviceArn();

            slipway.associateCustomDomain(new AssociateCustomDomainRequest(arn, "blog.example.org", false));
            CustomDomain active = await().atMost(Duration.ofMinutes(1)).until(() -> slipway.describeCustomDomains(
                    new DescribeCustomDomainsRequest(arn, null, null)).customDomains().get(0), d -> d.status() == CustomDomainAssociationStatus.ACTIVE
                    || d.status() == CustomDomainAssociationStatus.CREATE_FAILED);
            assertThat(active.status()).as(String.join("\n", slipway.logLines("blog", "events"))).isEqualTo(CustomDomainAssociationStatus.ACTIVE);
            assertThat(active.certificateValidationRecords()).extracting(CertificateValidationRecord::name, CertificateValidationRecord::value)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("blog.example.org", created.service().serviceUrl().replaceAll(":\\d+$", "")));
            Curl.Result r = Curl.https("blog.example.org", slipway.httpsPort().orElseThrow(), "/", pebble.root());
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.body()).isEqualTo("Read, Jane!");

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> slipway.associateCustomDomain(
                    new AssociateCustomDomainRequest(arn, "*.example.net", null)))
                    .isInstanceOf(dev.slipway.core.InvalidRequestException.class).hasMessageContaining("--acme-dns-zone");
            assertThat(slipway.describeCustomDomains(new DescribeCustomDomainsRequest(arn, null, null)).customDomains())
                    .as("nothing half-created").hasSize(1);
        }
    }
}
