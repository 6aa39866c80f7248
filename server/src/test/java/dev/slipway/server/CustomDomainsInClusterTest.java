package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.backend.k8s.KubernetesStateStore;
import dev.slipway.backend.k8s.TestCluster;
import dev.slipway.core.Slipway;
import dev.slipway.core.api.AssociateCustomDomainRequest;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.api.DescribeCustomDomainsRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.CustomDomain;
import dev.slipway.core.model.CustomDomainAssociationStatus;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.testing.Curl;
import dev.slipway.core.testing.TestApps;
import dev.slipway.core.testing.TlsProbe;
import dev.slipway.tls.LocalCertificateAuthority;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Custom domains live in the cluster with the rest of the state (a Secret per service document): a control plane that
 * starts on the same Secrets has the ACTIVE domain, and serves it with the very certificate the first one got (not a
 * new one), as a new leader does. The cluster is fabric8's mock API server in CRUD mode.
 */
class CustomDomainsInClusterTest {
    @TempDir
    Path tmp;

    @Test
    void aDomainAndItsCertificateSurviveInTheClustersSecrets() throws Exception {
        LocalCertificateAuthority ca = LocalCertificateAuthority.open(tmp.resolve("ca"));
        Path repo = tmp.resolve("shop");
        TestApps.gitRepositoryWithGreeter(repo, "Welcome", "Jane");
        try (TestCluster cluster = TestCluster.start()) {
            String arn;
            BigInteger first;
            try (Slipway slipway = slipway(cluster, ca)) {
                CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("shop").sourceConfiguration(
                        SourceConfiguration.of(new CodeRepository(repo.toUri().toString(), SourceCodeVersion.branch("main"), null, null))).build());
                created.operation().awaitSuccess(Duration.ofMinutes(2));
                arn = created.service().serviceArn();
                slipway.associateCustomDomain(new AssociateCustomDomainRequest(arn, "shop.example.com", false));
                await().atMost(Duration.ofSeconds(30)).until(() -> domain(slipway, arn).status() == CustomDomainAssociationStatus.ACTIVE);
                first = TlsProbe.served(slipway.httpsPort().orElseThrow(), "shop.example.com").getSerialNumber();
            }
            try (Slipway next = slipway(cluster, ca)) {
                assertThat(domain(next, arn).status()).isEqualTo(CustomDomainAssociationStatus.ACTIVE);
                int https = next.httpsPort().orElseThrow();
                assertThat(TlsProbe.served(https, "shop.example.com").getSerialNumber()).as("the certificate from the Secrets").isEqualTo(first);
                await().atMost(Duration.ofMinutes(1)).until(() -> Curl.https("shop.example.com", https, "/", ca.rootCertificateFile()).status() == 200);
            }
        }
    }

    private Slipway slipway(TestCluster cluster, LocalCertificateAuthority ca) {
        return Slipway.builder().stateStore(new KubernetesStateStore(cluster.client(), "domains", "slipway")).stateDir(tmp.resolve("state"))
                .routerPort(0).httpsPort(0).certificateAuthority(ca).build();
    }

    private static CustomDomain domain(Slipway slipway, String arn) {
        return slipway.describeCustomDomains(new DescribeCustomDomainsRequest(arn, null, null)).customDomains().get(0);
    }
}
