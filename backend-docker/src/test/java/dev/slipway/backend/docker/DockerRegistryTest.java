package dev.slipway.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import dev.slipway.core.testing.HttpProbe;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real pulls from a real registry (Debian's docker-registry on 127.0.0.1): the image is pushed and its local copy
 * removed, so Slipway must pull; the pull is logged layer by layer with its digest; a re-pushed tag is deployed by
 * StartDeployment; an ECR identifier pulls from the registry a mapping names.
 */
class DockerRegistryTest {
    private static final Duration OP = Duration.ofMinutes(2);
    private static final String START = "exec httpd -f -p $PORT -h /www";

    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        Docker.requireEngineAndBusybox();
    }

    @Test
    void aPulledImageIsDeployedAndARePushedTagIsPulledAgainOnStartDeployment() throws Exception {
        try (Docker.Registry registry = Docker.startRegistry(tmp.resolve("registry"));
             Slipway slipway = Slipway.builder().backend("docker").routerPort(0).stateDir(tmp.resolve("state"))
                     .backendSetting("docker.registry-map.123456789012.dkr.ecr.us-east-1.amazonaws.com", registry.address())
                     .build()) {
            String tag = registry.address() + "/team/page:1";
            String first = Docker.pushPage(tag, "first");
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("pulled")
                    .sourceConfiguration(new SourceConfiguration(null, new ImageRepository(tag,
                            new ImageConfiguration(null, null, START, "8080"), ImageRepositoryType.ECR_PUBLIC), false, null)).build());
            created.operation().awaitSuccess(OP);
            HttpProbe http = new HttpProbe(slipway.routerPort().orElseThrow());
            String url = created.service().serviceUrl();
            assertThat(http.get(url).body()).isEqualTo("first\n");
            assertThat(slipway.logLines("pulled", "deployment/" + created.operationId()))
                    .anyMatch(l -> l.contains("[pull] ") && l.contains("Pull complete"))
                    .anyMatch(l -> l.contains("Image " + tag + " is " + registry.address() + "/team/page@" + first));

            String second = Docker.pushPage(tag, "second");
            String redeploy = slipway.startDeployment(new StartDeploymentRequest(created.service().serviceArn())).operationId();
            org.awaitility.Awaitility.await().atMost(OP).until(() -> "second\n".equals(http.get(url).body()));
            org.awaitility.Awaitility.await().atMost(OP).until(() -> slipway.logLines("pulled", "deployment/" + redeploy).stream()
                    .anyMatch(l -> l.contains("@" + second)));

            CreateServiceResponse ecr = slipway.createService(CreateServiceRequest.builder().serviceName("from-ecr")
                    .sourceConfiguration(new SourceConfiguration(null, new ImageRepository(
                            "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/page:1",
                            new ImageConfiguration(null, null, START, "8080"), ImageRepositoryType.ECR), false, null)).build());
            ecr.operation().awaitSuccess(OP);
            assertThat(http.get(ecr.service().serviceUrl()).body()).isEqualTo("second\n");
            assertThat(slipway.logLines("from-ecr", "deployment/" + ecr.operationId()))
                    .anyMatch(l -> l.contains("Pulling " + registry.address() + "/team/page:1 for 123456789012.dkr.ecr"));
        }
    }

    @Test
    void aPrivateImageIsPulledWithTheLoginItsAccessRoleArnStandsForAndTheLoginIsNeverLogged() throws Exception {
        String role = "arn:aws:iam::123456789012:role/slipway-ecr-access";
        String password = "pw-" + java.util.UUID.randomUUID();
        Path state = tmp.resolve("state");
        try (Docker.Registry registry = Docker.startRegistry(tmp.resolve("registry"), "puller", password);
             Slipway slipway = Slipway.builder().backend("docker").routerPort(0).stateDir(state).build()) {
            String tag = registry.address() + "/team/private:1";
            Docker.pushPage(tag, "private", "puller:" + password);
            SourceConfiguration source = new SourceConfiguration(null, new ImageRepository(tag,
                    new ImageConfiguration(null, null, START, "8080"), ImageRepositoryType.ECR), false,
                    new AuthenticationConfiguration(null, role));

            CreateServiceResponse anonymous = slipway.createService(CreateServiceRequest.builder().serviceName("anonymous")
                    .sourceConfiguration(new SourceConfiguration(null, source.imageRepository(), false, null)).build());
            assertThat(anonymous.operation().await(OP).status()).as("the registry wants a login").isEqualTo(OperationStatus.FAILED);
            assertThat(anonymous.operation().failureReason()).get().asString().contains("cannot pull image " + tag);

            CreateServiceResponse noLogin = slipway.createService(CreateServiceRequest.builder().serviceName("no-login")
                    .sourceConfiguration(source).build());
            assertThat(noLogin.operation().await(OP).status()).isEqualTo(OperationStatus.FAILED);
            assertThat(noLogin.operation().failureReason()).get().asString()
                    .contains("no registry login for AccessRoleArn " + role + " in " + state.resolve("registry-credentials.json"));

            java.nio.file.Files.writeString(state.resolve("registry-credentials.json"),
                    "{\"" + role + "\": {\"username\": \"puller\", \"password\": \"" + password + "\"}}");
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("private")
                    .sourceConfiguration(source).build());
            created.operation().awaitSuccess(OP);
            assertThat(new HttpProbe(slipway.routerPort().orElseThrow()).get(created.service().serviceUrl()).body())
                    .isEqualTo("private\n");
            assertThat(slipway.logLines("private", "deployment/" + created.operationId()))
                    .anyMatch(l -> l.contains("Pulling with the registry login of AccessRoleArn " + role))
                    .noneMatch(l -> l.contains(password));
        }
    }
}
