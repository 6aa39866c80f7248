package dev.slipway.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real state directory written by Slipway before schema version 3 (state.json of 2026-12-05's main: two services,
 * one paused, operations, two connections, one with a token, an auto scaling configuration with two revisions, tags
 * on each kind of resource) opens in this Slipway with everything in it, migrated into the state database; it opens
 * again after that from the database alone.
 */
class StateMigrationTest {
    private static final String ALPHA = "arn:aws:apprunner:us-east-1:000000000000:service/alpha/35335502ae6140a89683aa36b72f3591";
    private static final String BETA = "arn:aws:apprunner:us-east-1:000000000000:service/beta/ce7789d2018f4f779602922a5a9ab18b";
    private static final String BUSY = "arn:aws:apprunner:us-east-1:000000000000:autoscalingconfiguration/busy-config/1/6f955c0d84c7437b922ac5bc5901425f";
    private static final String GITHUB = "arn:aws:apprunner:us-east-1:000000000000:connection/github-main/15705fa31397470492b86530ed90a385";

    @TempDir
    Path state;

    @Test
    void aVersion2StateDirectoryOpensWithEveryServiceOperationConnectionConfigurationAndTag() throws Exception {
        copy("state.json");
        copy("control-plane-id");

        String traced;
        try (Slipway slipway = open()) {
            assertEverythingIsThere(slipway);
            // a state from before observability configurations has none, and takes them from now on
            assertThat(slipway.listObservabilityConfigurations(new ListObservabilityConfigurationsRequest(null, null, null, null))
                    .observabilityConfigurationSummaryList()).isEmpty();
            traced = slipway.createObservabilityConfiguration(new CreateObservabilityConfigurationRequest("xray-tracing",
                    new TraceConfiguration(TracingVendor.AWSXRAY), null)).observabilityConfiguration().observabilityConfigurationArn();
        }
        assertThat(state.resolve("state.json")).doesNotExist();
        assertThat(state.resolve("state.json.migrated")).exists();
        try (SqliteStateStore db = new SqliteStateStore(state.resolve("state.db"))) {
            assertThat(db.load().orElseThrow().schemaVersion()).isEqualTo(3);
            assertThat(db.load().orElseThrow().documents()).doesNotContainKey("state")
                    .containsKeys("service/35335502ae6140a89683aa36b72f3591", "connections", "autoscaling", "tags",
                            "operation/35335502ae6140a89683aa36b72f3591/2bffc8fa-3a33-49aa-beb0-6f229ad46e61");
        }
        try (Slipway again = open()) {
            assertEverythingIsThere(again);
            assertThat(again.describeObservabilityConfiguration(new DescribeObservabilityConfigurationRequest(traced))
                    .observabilityConfiguration().traceConfiguration()).isEqualTo(new TraceConfiguration(TracingVendor.AWSXRAY));
        }
    }

    private void assertEverythingIsThere(Slipway slipway) {
        Map<String, ServiceSummary> services = slipway.listServices(new ListServicesRequest(null, null)).serviceSummaryList()
                .stream().collect(Collectors.toMap(ServiceSummary::serviceName, Function.identity()));
        assertThat(services.keySet()).containsExactlyInAnyOrder("alpha", "beta");
        assertThat(services.get("alpha").serviceArn()).isEqualTo(ALPHA);
        assertThat(services.get("beta").status()).isEqualTo(ServiceStatus.PAUSED);
        // alpha was RUNNING: it starts its revision again (which this machine no longer has), and stays RUNNING
        await().atMost(Duration.ofSeconds(30)).until(() -> describe(slipway, ALPHA).status() == ServiceStatus.RUNNING);
        Service alpha = describe(slipway, ALPHA);
        assertThat(alpha.serviceUrl()).startsWith("alpha-353355.localhost");
        assertThat(alpha.autoScalingConfigurationSummary().autoScalingConfigurationArn()).isEqualTo(BUSY);
        assertThat(alpha.sourceConfiguration().codeRepository().repositoryUrl()).isEqualTo("file:///tmp/gen/app");
        assertThat(alpha.healthCheckConfiguration().protocol()).isEqualTo(HealthCheckProtocol.TCP);
        assertThat(alpha.instanceConfiguration().cpu()).isEqualTo("1024");

        assertThat(slipway.listOperations(new ListOperationsRequest(ALPHA, null, null)).operationSummaryList())
                .extracting(OperationSummary::id, OperationSummary::type, OperationSummary::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("2bffc8fa-3a33-49aa-beb0-6f229ad46e61",
                        OperationType.CREATE_SERVICE, OperationStatus.SUCCEEDED));
        assertThat(slipway.listOperations(new ListOperationsRequest(BETA, null, null)).operationSummaryList())
                .extracting(OperationSummary::type).containsExactly(OperationType.PAUSE_SERVICE, OperationType.CREATE_SERVICE);

        assertThat(slipway.listConnections(new ListConnectionsRequest(null, null, null)).connectionSummaryList())
                .extracting(ConnectionSummary::connectionName, ConnectionSummary::status)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("github-main", ConnectionStatus.AVAILABLE),
                        org.assertj.core.groups.Tuple.tuple("pending", ConnectionStatus.PENDING_HANDSHAKE));
        assertThat(slipway.listAutoScalingConfigurations(new ListAutoScalingConfigurationsRequest("busy-config", false, null, null))
                .autoScalingConfigurationSummaryList()).extracting(AutoScalingConfigurationSummary::autoScalingConfigurationRevision)
                .containsExactlyInAnyOrder(1, 2);
        assertThat(slipway.describeAutoScalingConfiguration(new DescribeAutoScalingConfigurationRequest(BUSY))
                .autoScalingConfiguration().maxConcurrency()).isEqualTo(50);

        assertThat(tags(slipway, ALPHA)).containsExactly(Tag.of("env", "prod"));
        assertThat(tags(slipway, BETA)).containsExactly(Tag.of("owner", "ada"));
        assertThat(tags(slipway, GITHUB)).containsExactly(Tag.of("team", "blue"));
        assertThat(tags(slipway, BUSY)).containsExactly(Tag.of("cost", "low"));
    }

    private Slipway open() {
        return Slipway.builder().backend("fake").routerPort(-1).stateDir(state).durableState(true).build();
    }

    private void copy(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/state-v2/" + name)) {
            Files.copy(in, state.resolve(name));
        }
    }

    private static Service describe(Slipway slipway, String arn) {
        return slipway.describeService(new DescribeServiceRequest(arn)).service();
    }

    private static List<Tag> tags(Slipway slipway, String arn) {
        return slipway.listTagsForResource(new ListTagsForResourceRequest(arn)).tags();
    }
}
