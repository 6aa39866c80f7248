package dev.slipway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.DataPlane;
import dev.slipway.core.Slipway;
import dev.slipway.core.api.AssociateCustomDomainRequest;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.routing.Admission;
import dev.slipway.core.spi.RouterLimits;
import dev.slipway.core.spi.RouterTimeouts;
import dev.slipway.core.store.InMemoryStateStore;
import dev.slipway.core.testing.Curl;
import dev.slipway.core.testing.TestApps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica that waits to lead (a follower's data plane) serves HTTPS with the certificates the leader saved in the
 * state store, as the followers behind the {@code slipway-router} Service do on Kubernetes: a domain the leader made
 * ACTIVE is presented by the follower's listener (curl verifies it against the CA), and one associated later too once
 * the follower has read the store again.
 */
class FollowerHttpsTest {
    @TempDir
    Path tmp;

    @Test
    void aFollowerPresentsTheCertificatesTheLeaderSaved() throws Exception {
        LocalCertificateAuthority ca = LocalCertificateAuthority.open(tmp.resolve("ca"));
        InMemoryStateStore store = new InMemoryStateStore();
        try (Slipway leader = Slipway.builder().stateStore(store).routerPort(0).httpsPort(0).stateDir(tmp.resolve("leader"))
                .certificateAuthority(ca).build();
             DataPlane follower = DataPlane.start("127.0.0.1", 0, RouterTimeouts.DEFAULT, RouterLimits.DEFAULT, Admission.DEFAULT,
                     new SimpleMeterRegistry())) {
            Path repo = tmp.resolve("shop");
            TestApps.gitRepositoryWithGreeter(repo, "Welcome", "Jane");
            CreateServiceResponse created = leader.createService(CreateServiceRequest.builder().serviceName("shop").sourceConfiguration(
                    SourceConfiguration.of(new CodeRepository(repo.toUri().toString(), SourceCodeVersion.branch("main"), null, null))).build());
            String arn = created.service().serviceArn();
            leader.associateCustomDomain(new AssociateCustomDomainRequest(arn, "shop.example.com", false));
            await().atMost(Duration.ofSeconds(30)).until(() -> Curl.https("shop.example.com", leader.httpsPort().orElseThrow(), "/",
                    ca.rootCertificateFile()).exitCode() == 0);

            int https = follower.serveHttps(0, store, Optional.of(ca), "localhost");
            Curl.Result r = Curl.https("shop.example.com", https, "/", ca.rootCertificateFile());
            assertThat(r.exitCode()).as("the follower presents the domain's certificate: " + r.stderr()).isZero();
            assertThat(r.status()).as("(it follows no leader's routes in this test)").isEqualTo(404);

            leader.associateCustomDomain(new AssociateCustomDomainRequest(arn, "later.example.com", false));
            await().atMost(Duration.ofSeconds(30)).until(() -> Curl.https("later.example.com", https, "/", ca.rootCertificateFile())
                    .exitCode() == 0);
        }
    }
}
