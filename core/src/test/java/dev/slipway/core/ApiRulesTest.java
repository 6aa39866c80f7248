package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import dev.slipway.core.spi.BackendCapabilities;
import dev.slipway.core.testing.FakeBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guide's rules and the model's constraints, through the Java API, on the in-memory fake backend (no router). */
class ApiRulesTest {
    @TempDir
    Path tmp;

    private Slipway slipway;
    private FakeBackend fake;

    @BeforeEach
    void start() {
        fake = new FakeBackend();
        slipway = Slipway.builder().backend(fake).routerPort(-1).stateDir(tmp.resolve("state"))
                .quotas(new Quotas(3, 2, 2, 3)).build();
    }

    @AfterEach
    void stop() {
        slipway.close();
    }

    @Test
    void failedCreationsStayCreateFailedAndCountTowardTheServiceQuota() throws Exception {
        for (String name : List.of("broken-1", "broken-2", "broken-3")) {
            CreateServiceResponse r = slipway.createService(missingSource(name));
            assertThat(r.operation().await(Duration.ofSeconds(30)).status()).isEqualTo(OperationStatus.FAILED);
            assertThat(r.operation().failureReason()).get().asString().contains("neither a directory nor a Git repository");
            assertThat(describe(r.service().serviceArn()).status()).isEqualTo(ServiceStatus.CREATE_FAILED);
        }
        assertThatThrownBy(() -> slipway.createService(missingSource("one-more")))
                .isInstanceOf(ServiceQuotaExceededException.class).hasMessageContaining("quota of 3 services");

        String first = slipway.listServices(new ListServicesRequest(null, null)).serviceSummaryList().get(0).serviceArn();
        slipway.deleteService(new DeleteServiceRequest(first)).operation().awaitSuccess(Duration.ofSeconds(30));
        assertThat(slipway.createService(missingSource("one-more")).service().serviceName()).isEqualTo("one-more");
    }

    @Test
    void invalidRequestsAreRefusedAndCreateNothing() {
        fake.capabilities = new BackendCapabilities(false, true, false, false, false, false);
        assertThatThrownBy(() -> slipway.createService(missingSource("no")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at 'serviceName'");
        assertThatThrownBy(() -> slipway.createService(CreateServiceRequest.builder().serviceName("image-svc")
                .sourceConfiguration(new SourceConfiguration(null, new ImageRepository(
                        "public.ecr.aws/aws-containers/hello-app-runner:latest", null, ImageRepositoryType.ECR_PUBLIC), false, null))
                .build())).isInstanceOf(InvalidRequestException.class).hasMessageContaining("docker");
        assertThatThrownBy(() -> slipway.createService(CreateServiceRequest.builder().serviceName("both-svc")
                .sourceConfiguration(new SourceConfiguration(null, null, false, null)).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("exactly one of codeRepository and imageRepository");
        assertThatThrownBy(() -> slipway.createService(CreateServiceRequest.builder().serviceName("api-svc")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository("file:///nowhere", SourceCodeVersion.branch("main"),
                        new CodeConfiguration(ConfigurationSource.API, null), null))).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("codeConfigurationValues is required");
        assertThatThrownBy(() -> slipway.createService(CreateServiceRequest.builder().serviceName("asc-svc")
                .sourceConfiguration(missingSource("x").sourceConfiguration())
                .autoScalingConfigurationArn("arn:aws:apprunner:us-east-1:000000000000:autoscalingconfiguration/nope/1/abc").build()))
                .as("CreateService's errors (the model's) have no ResourceNotFoundException: a missing configuration is a bad request")
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("No active auto scaling configuration");
        assertThat(slipway.listServices(new ListServicesRequest(null, null)).serviceSummaryList()).isEmpty();
    }

    @Test
    void environmentNamesWithEqualsOrNulAndValuesWithNulAreRefusedWithoutEchoingThem() {
        String secret = "s3cr3t-" + java.util.UUID.randomUUID();
        List<java.util.Map<String, String>> bad = List.of(java.util.Map.of("TOKEN", "x\0" + secret),
                java.util.Map.of("TOKEN=" + secret, "v"), java.util.Map.of("TO\0" + secret, "v"), java.util.Map.of("", secret));
        for (java.util.Map<String, String> vars : bad) {
            CodeConfigurationValues values = new CodeConfigurationValues(dev.slipway.core.model.Runtime.PYTHON_3, null, "python app.py", null, null, vars);
            assertThatThrownBy(() -> slipway.createService(CreateServiceRequest.builder().serviceName("secret-svc")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(tmp.toString(), SourceCodeVersion.branch("main"),
                            CodeConfiguration.fromApi(values), null))).build()))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("codeConfigurationValues.runtimeEnvironmentSecrets")
                    .hasMessageNotContaining(secret);
            ImageConfiguration image = new ImageConfiguration(vars, null, null, null);
            assertThatThrownBy(() -> slipway.createService(CreateServiceRequest.builder().serviceName("secret-img")
                    .sourceConfiguration(new SourceConfiguration(null, new ImageRepository("public.ecr.aws/team/app:1", image,
                            ImageRepositoryType.ECR_PUBLIC), false, null)).build()))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("imageConfiguration.runtimeEnvironmentVariables")
                    .hasMessageNotContaining(secret);
        }
        assertThat(slipway.listServices(new ListServicesRequest(null, null)).serviceSummaryList()).isEmpty();
    }

    @Test
    void namesAreUniqueAndServicesAreFoundByArnOnly() {
        slipway.createService(missingSource("unique-svc"));
        assertThatThrownBy(() -> slipway.createService(missingSource("unique-svc")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("already exists");
        assertThatThrownBy(() -> slipway.describeService(new DescribeServiceRequest(
                "arn:aws:apprunner:us-east-1:000000000000:service/unique-svc/00000000000000000000000000000000")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> slipway.describeService(new DescribeServiceRequest("arn:aws:s3:::bucket/key")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("serviceArn");
    }

    @Test
    void oneOperationAtATimeAndAFailedServiceCanOnlyBeDeleted() throws Exception {
        CreateServiceResponse r = slipway.createService(missingSource("busy-svc"));
        String arn = r.service().serviceArn();
        // the creation is still in progress or already failed: either way, no deployment is accepted
        assertThatThrownBy(() -> slipway.startDeployment(new StartDeploymentRequest(arn))).isInstanceOf(InvalidStateException.class);
        r.operation().await(Duration.ofSeconds(30));
        assertThatThrownBy(() -> slipway.pauseService(new PauseServiceRequest(arn)))
                .isInstanceOf(InvalidStateException.class).hasMessageContaining("CREATE_FAILED");
        assertThatThrownBy(() -> slipway.resumeService(new ResumeServiceRequest(arn))).isInstanceOf(InvalidStateException.class);
        List<OperationSummary> ops = slipway.listOperations(new ListOperationsRequest(arn, null, null)).operationSummaryList();
        assertThat(ops).extracting(OperationSummary::type).containsExactly(OperationType.CREATE_SERVICE);
        assertThat(ops.get(0).status()).isEqualTo(OperationStatus.FAILED);
        assertThat(ops.get(0).endedAt()).isNotNull();
    }

    @Test
    void autoScalingConfigurationsAreNamedAndRevisioned() {
        List<AutoScalingConfigurationSummary> initial = slipway.listAutoScalingConfigurations(
                new ListAutoScalingConfigurationsRequest(null, null, null, null)).autoScalingConfigurationSummaryList();
        assertThat(initial).singleElement().satisfies(d -> {
            assertThat(d.autoScalingConfigurationName()).isEqualTo("DefaultConfiguration");
            assertThat(d.autoScalingConfigurationRevision()).isEqualTo(1);
            assertThat(d.isDefault()).isTrue();
        });
        AutoScalingConfiguration def = slipway.describeAutoScalingConfiguration(new DescribeAutoScalingConfigurationRequest(
                initial.get(0).autoScalingConfigurationArn())).autoScalingConfiguration();
        assertThat(List.of(def.maxConcurrency(), def.minSize(), def.maxSize())).containsExactly(100, 1, 25);

        AutoScalingConfiguration r1 = create("high-availability", 50, 3, 10);
        AutoScalingConfiguration r2 = create("high-availability", 80, 2, 10);
        assertThat(r1.autoScalingConfigurationRevision()).isEqualTo(1);
        assertThat(r2.autoScalingConfigurationRevision()).isEqualTo(2);
        assertThat(r2.autoScalingConfigurationArn()).matches(
                "arn:aws:apprunner:us-east-1:000000000000:autoscalingconfiguration/high-availability/2/[0-9a-f]{32}");
        String byName = "arn:aws:apprunner:us-east-1:000000000000:autoscalingconfiguration/high-availability";
        AutoScalingConfiguration latest = slipway.describeAutoScalingConfiguration(
                new DescribeAutoScalingConfigurationRequest(byName)).autoScalingConfiguration();
        assertThat(latest.autoScalingConfigurationRevision()).isEqualTo(2);
        assertThat(latest.latest()).isTrue();
        assertThat(slipway.describeAutoScalingConfiguration(new DescribeAutoScalingConfigurationRequest(byName + "/1"))
                .autoScalingConfiguration().latest()).isFalse();

        create("high-availability", 10, 1, 1);
        assertThatThrownBy(() -> create("high-availability", 10, 1, 2))
                .isInstanceOf(ServiceQuotaExceededException.class).hasMessageContaining("3 revisions");
        create("low-cost", 10, 1, 1);
        assertThatThrownBy(() -> create("third-name", 10, 1, 1))
                .isInstanceOf(ServiceQuotaExceededException.class).hasMessageContaining("2 auto scaling configuration names");
        assertThatThrownBy(() -> create("low-cost", 10, 5, 2))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("MinSize (5) must not be greater than MaxSize (2)");

        assertThat(slipway.listAutoScalingConfigurations(new ListAutoScalingConfigurationsRequest("high-availability", false, null, null))
                .autoScalingConfigurationSummaryList()).extracting(AutoScalingConfigurationSummary::autoScalingConfigurationRevision)
                .containsExactly(3, 2, 1);
        AutoScalingConfiguration deleted = slipway.deleteAutoScalingConfiguration(
                new DeleteAutoScalingConfigurationRequest(r1.autoScalingConfigurationArn(), null)).autoScalingConfiguration();
        assertThat(deleted.status()).isEqualTo(AutoScalingConfigurationStatus.INACTIVE);
        assertThat(deleted.deletedAt()).isNotNull();
        assertThatThrownBy(() -> slipway.describeAutoScalingConfiguration(
                new DescribeAutoScalingConfigurationRequest(r1.autoScalingConfigurationArn()))).isInstanceOf(ResourceNotFoundException.class);

        slipway.updateDefaultAutoScalingConfiguration(new UpdateDefaultAutoScalingConfigurationRequest(byName));
        CreateServiceResponse svc = slipway.createService(missingSource("scaled-svc"));
        assertThat(svc.service().autoScalingConfigurationSummary().autoScalingConfigurationName()).isEqualTo("high-availability");
        assertThat(slipway.listServicesForAutoScalingConfiguration(
                new ListServicesForAutoScalingConfigurationRequest(byName, null, null)).serviceArnList()).containsExactly(svc.service().serviceArn());
        assertThatThrownBy(() -> slipway.deleteAutoScalingConfiguration(new DeleteAutoScalingConfigurationRequest(byName, true)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("used by a service");
    }

    @Test
    void connectionsNeedAHandshakeAndCannotBeDeletedWhileUsed() throws Exception {
        Connection c = slipway.createConnection(new CreateConnectionRequest("my-github", ProviderType.GITHUB, null)).connection();
        assertThat(c.status()).isEqualTo(ConnectionStatus.PENDING_HANDSHAKE);
        CreateServiceRequest usingIt = CreateServiceRequest.builder().serviceName("private-svc")
                .sourceConfiguration(new SourceConfiguration(new CodeRepository(tmp.resolve("missing").toString(),
                        SourceCodeVersion.branch("main"), null, null), null, false, new AuthenticationConfiguration(c.connectionArn(), null)))
                .build();
        assertThatThrownBy(() -> slipway.createService(usingIt))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("complete its handshake");

        assertThat(slipway.completeConnectionHandshake(c.connectionArn(), "ghp_token").status()).isEqualTo(ConnectionStatus.AVAILABLE);
        CreateServiceResponse svc = slipway.createService(usingIt);
        assertThatThrownBy(() -> slipway.deleteConnection(new DeleteConnectionRequest(c.connectionArn())))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("private-svc");

        slipway.createConnection(new CreateConnectionRequest("second", ProviderType.BITBUCKET, null));
        assertThatThrownBy(() -> slipway.createConnection(new CreateConnectionRequest("third", ProviderType.GITHUB, null)))
                .isInstanceOf(ServiceQuotaExceededException.class);
        assertThat(slipway.listConnections(new ListConnectionsRequest("second", null, null)).connectionSummaryList())
                .extracting(ConnectionSummary::connectionName).containsExactly("second");

        svc.operation().await(Duration.ofSeconds(30));
        slipway.deleteService(new DeleteServiceRequest(svc.service().serviceArn())).operation().awaitSuccess(Duration.ofSeconds(30));
        assertThat(slipway.deleteConnection(new DeleteConnectionRequest(c.connectionArn())).connection().status())
                .isEqualTo(ConnectionStatus.DELETED);
    }

    @Test
    void tagsAreAddedListedAndRemoved() {
        CreateServiceResponse svc = slipway.createService(CreateServiceRequest.builder().serviceName("tagged-svc")
                .sourceConfiguration(missingSource("x").sourceConfiguration()).tag("team", "blue").build());
        String arn = svc.service().serviceArn();
        slipway.tagResource(new TagResourceRequest(arn, List.of(Tag.of("env", "dev"), Tag.of("team", "green"))));
        assertThat(slipway.listTagsForResource(new ListTagsForResourceRequest(arn)).tags())
                .containsExactly(Tag.of("team", "green"), Tag.of("env", "dev"));
        List<Tag> fortyNine = java.util.stream.IntStream.range(0, 49).mapToObj(i -> Tag.of("k" + i, "v")).toList();
        assertThatThrownBy(() -> slipway.tagResource(new TagResourceRequest(arn, fortyNine)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at most 50 tags").hasMessageContaining("51");
        assertThat(slipway.listTagsForResource(new ListTagsForResourceRequest(arn)).tags()).hasSize(2);
        slipway.untagResource(new UntagResourceRequest(arn, List.of("team")));
        assertThat(slipway.listTagsForResource(new ListTagsForResourceRequest(arn)).tags()).containsExactly(Tag.of("env", "dev"));
        assertThatThrownBy(() -> slipway.tagResource(new TagResourceRequest(
                "arn:aws:apprunner:us-east-1:000000000000:service/ghost/0123", List.of(Tag.of("a", "b")))))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void aBadSlipwayTagIsRefusedAndChangesNothing() {
        assertThatThrownBy(() -> slipway.createService(CreateServiceRequest.builder().serviceName("stepped-svc")
                .sourceConfiguration(missingSource("x").sourceConfiguration()).tag("slipway:traffic-steps", "50,10").build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("slipway:traffic-steps")
                .hasMessageContaining("percentages that only grow");
        assertThat(slipway.listServices(new ListServicesRequest(null, null)).serviceSummaryList()).as("nothing half-created").isEmpty();

        String arn = slipway.createService(CreateServiceRequest.builder().serviceName("stepped-svc")
                .sourceConfiguration(missingSource("x").sourceConfiguration()).tag("slipway:traffic-steps", "10, 50").build())
                .service().serviceArn();
        assertThatThrownBy(() -> slipway.tagResource(new TagResourceRequest(arn, List.of(Tag.of("team", "blue"),
                Tag.of("slipway:rollback-5xx-percent", "lots")))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("slipway:rollback-5xx-percent")
                .hasMessageContaining("'lots'");
        assertThat(slipway.listTagsForResource(new ListTagsForResourceRequest(arn)).tags())
                .containsExactly(Tag.of("slipway:traffic-steps", "10, 50"));
    }

    @Test
    void listsArePagedWithNextToken() {
        for (int i = 0; i < 3; i++) {
            slipway.createService(missingSource("paged-" + i));
        }
        ListServicesResponse p1 = slipway.listServices(new ListServicesRequest(2, null));
        assertThat(p1.serviceSummaryList()).hasSize(2);
        assertThat(p1.nextToken()).isNotNull();
        ListServicesResponse p2 = slipway.listServices(new ListServicesRequest(2, p1.nextToken()));
        assertThat(p2.serviceSummaryList()).hasSize(1);
        assertThat(p2.nextToken()).isNull();
        List<String> names = new ArrayList<>();
        p1.serviceSummaryList().forEach(s -> names.add(s.serviceName()));
        p2.serviceSummaryList().forEach(s -> names.add(s.serviceName()));
        assertThat(names).containsExactly("paged-0", "paged-1", "paged-2");
        assertThatThrownBy(() -> slipway.listServices(new ListServicesRequest(2, "garbage!")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("nextToken");
        assertThatThrownBy(() -> slipway.listServices(new ListServicesRequest(21, null)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at 'maxResults'");
    }

    private AutoScalingConfiguration create(String name, int mc, int min, int max) {
        return slipway.createAutoScalingConfiguration(new CreateAutoScalingConfigurationRequest(name, mc, min, max, null))
                .autoScalingConfiguration();
    }

    private Service describe(String arn) {
        return slipway.describeService(new DescribeServiceRequest(arn)).service();
    }

    private CreateServiceRequest missingSource(String name) {
        return CreateServiceRequest.builder().serviceName(name).sourceConfiguration(SourceConfiguration.of(
                new CodeRepository(tmp.resolve("no-such-dir").toString(), SourceCodeVersion.branch("main"), null, null))).build();
    }
}
