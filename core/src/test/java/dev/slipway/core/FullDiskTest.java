package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import dev.slipway.core.testing.FakeBackend;
import dev.slipway.core.testing.TestApps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When state.json cannot be written, a change is not applied: the caller gets a clear error and nothing of it shows,
 * before or after a restart; a change recording what happened (an operation ended) shows once it could be saved.
 * The write fails for real: the state file's temporary sibling is made a non-empty directory, which no one (not even
 * root) can replace with a file; removing it is "space coming back".
 */
class FullDiskTest {
    private static final Duration OP = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void aChangeThatCannotBeSavedIsNotAppliedAndTheServerRecoversByItself() throws Exception {
        Path state = tmp.resolve("state");
        TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Jane");
        String arn;
        try (Slipway slipway = Slipway.builder().backend("fake").routerPort(-1).stateDir(state).durableState(true).build()) {
            CreateServiceResponse created = slipway.createService(create("kept"));
            created.operation().awaitSuccess(OP);
            arn = created.service().serviceArn();

            fillDisk(state);
            assertThatThrownBy(() -> slipway.tagResource(new TagResourceRequest(arn, List.of(Tag.of("team", "blue")))))
                    .isInstanceOf(InternalServiceErrorException.class)
                    .hasMessageContaining("could not save its state, so nothing was changed");
            assertThat(slipway.listTagsForResource(new ListTagsForResourceRequest(arn)).tags()).isEmpty();
            assertThatThrownBy(() -> slipway.createService(create("lost"))).isInstanceOf(InternalServiceErrorException.class);
            assertThatThrownBy(() -> slipway.startDeployment(new StartDeploymentRequest(arn))).isInstanceOf(InternalServiceErrorException.class);
            assertThat(names(slipway)).containsExactly("kept");
            assertThat(describe(slipway, arn).status()).isEqualTo(ServiceStatus.RUNNING);
            assertThat(slipway.listOperations(new ListOperationsRequest(arn, null, null)).operationSummaryList()).hasSize(1);

            freeDisk(state);
            assertThat(slipway.createService(create("lost")).service().serviceName()).as("no 'already exists'").isEqualTo("lost");

            FakeBackend fake = FakeBackend.last;
            fake.prepareLatch = new CountDownLatch(1);
            String op = slipway.startDeployment(new StartDeploymentRequest(arn)).operationId();
            fillDisk(state);
            fake.prepareLatch.countDown(); // the deployment ends while its end cannot be saved
            await().atMost(OP).until(() -> slipway.logLines("kept", "deployment/" + op).stream()
                    .anyMatch(l -> l.contains("[6/6]")));
            assertThat(describe(slipway, arn).status()).as("not shown until saved").isEqualTo(ServiceStatus.OPERATION_IN_PROGRESS);

            freeDisk(state);
            await().atMost(OP).until(() -> describe(slipway, arn).status() == ServiceStatus.RUNNING);
            assertThat(slipway.listOperations(new ListOperationsRequest(arn, null, null)).operationSummaryList().get(0).status())
                    .isEqualTo(OperationStatus.SUCCEEDED);
        }
        try (Slipway again = Slipway.builder().backend("fake").routerPort(-1).stateDir(state).durableState(true).build()) {
            assertThat(names(again)).containsExactly("kept", "lost");
            assertThat(again.listTagsForResource(new ListTagsForResourceRequest(arn)).tags()).isEmpty();
            assertThat(again.listOperations(new ListOperationsRequest(arn, null, null)).operationSummaryList())
                    .extracting(OperationSummary::status).containsExactly(OperationStatus.SUCCEEDED, OperationStatus.SUCCEEDED);
        }
    }

    private CreateServiceRequest create(String name) {
        return CreateServiceRequest.builder().serviceName(name).sourceConfiguration(SourceConfiguration.of(
                new CodeRepository(tmp.resolve("app").toString(), SourceCodeVersion.branch("main"), null, null))).build();
    }

    private static void fillDisk(Path state) throws IOException {
        Files.createDirectories(state.resolve("state.json.tmp").resolve("full"));
    }

    private static void freeDisk(Path state) throws IOException {
        Files.delete(state.resolve("state.json.tmp").resolve("full"));
        Files.delete(state.resolve("state.json.tmp"));
    }

    private static List<String> names(Slipway slipway) {
        return slipway.listServices(new ListServicesRequest(null, null)).serviceSummaryList().stream()
                .map(ServiceSummary::serviceName).toList();
    }

    private static Service describe(Slipway slipway, String arn) {
        return slipway.describeService(new DescribeServiceRequest(arn)).service();
    }
}
