package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.InvalidStateException;
import dev.slipway.core.Slipway;
import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A durable Slipway reopened on its state directory: like App Runner's maintenance, the service is busy until it serves. */
class DurableStateTest {
    @TempDir
    Path tmp;

    @Test
    void aRestoredServiceRefusesOperationsUntilItServesAgainWithoutANewDeployment() throws Exception {
        Path app = tmp.resolve("slow-start");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        Files.writeString(app.resolve("server.py"), "import time\ntime.sleep(2)\n" + TestApps.pythonGreeter("Hello"));
        Path state = tmp.resolve("state");
        String arn;
        try (Slipway first = Slipway.builder().routerPort(0).stateDir(state).durableState(true).build()) {
            CreateServiceResponse created = first.createService(CreateServiceRequest.builder().serviceName("restored")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"), null, null)))
                    .build());
            created.operation().awaitSuccess(Duration.ofMinutes(2));
            arn = created.service().serviceArn();
        }

        try (Slipway second = Slipway.builder().routerPort(0).stateDir(state).durableState(true).build()) {
            assertThat(describe(second, arn).status()).isEqualTo(ServiceStatus.OPERATION_IN_PROGRESS);
            assertThatThrownBy(() -> second.startDeployment(new StartDeploymentRequest(arn)))
                    .isInstanceOf(InvalidStateException.class).hasMessageContaining("starting again after a restart");

            await().atMost(Duration.ofMinutes(1)).until(() -> describe(second, arn).status() == ServiceStatus.RUNNING);
            HttpProbe http = new HttpProbe(second.routerPort().orElseThrow());
            assertThat(http.get(describe(second, arn).serviceUrl()).body()).isEqualTo("Hello, Jane!");
            assertThat(second.listOperations(new ListOperationsRequest(arn, null, null)).operationSummaryList())
                    .extracting(OperationSummary::type).containsExactly(OperationType.CREATE_SERVICE);
            assertThat(second.logLines("restored", "events")).anyMatch(l -> l.contains("Serving again after the restart"));
        }
    }

    @Test
    void durableStateNeedsAStateDirectory() {
        assertThatThrownBy(() -> Slipway.builder().durableState(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stateDir");
    }

    private static Service describe(Slipway slipway, String arn) {
        return slipway.describeService(new DescribeServiceRequest(arn)).service();
    }
}
