package dev.slipway.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.build.BuildPlan;
import dev.slipway.core.model.*;
import dev.slipway.core.model.Runtime;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.Resources;
import dev.slipway.core.spi.RunConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state file round-trips everything, is private to its owner, and a damaged one is reported, not ignored. */
class FileStateStoreTest {
    @TempDir
    Path tmp;

    @Test
    void stateRoundTripsThroughTheFile() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        BuildPlan plan = new BuildPlan(Runtime.PYTHON_3, Optional.of("3.11"), List.of("a"), List.of("b"), List.of(),
                Map.of("B", "1"), "python app.py", 8000, Optional.of("APP_PORT"), Map.of("NAME", "Jane"), Map.of("KEY", "s3cret"));
        ControlPlaneState state = new ControlPlaneState(ControlPlaneState.VERSION, List.of(new ControlPlaneState.ServiceState(
                "svc", "id", "arn:svc", "svc-id.localhost", now, now, ServiceStatus.RUNNING,
                SourceConfiguration.of(new CodeRepository("file:///app", SourceCodeVersion.branch("main"), CodeConfiguration.fromRepository(), null)),
                InstanceConfiguration.DEFAULT, HealthCheckConfiguration.DEFAULT, NetworkConfiguration.DEFAULT, null,
                new ServiceObservabilityConfiguration(false, null), "arn:asc",
                new ControlPlaneState.ServiceSpec(null, InstanceConfiguration.DEFAULT, HealthCheckConfiguration.DEFAULT, null, null, "arn:asc"),
                List.of(new ControlPlaneState.OperationState(new OperationSummary("op", OperationType.CREATE_SERVICE,
                        OperationStatus.SUCCEEDED, "arn:svc", now, now, now), null)),
                new PreparedRevision("id", "rev", "/work/rev", Map.of("PATH", "/usr/bin"), new RunConfiguration(Optional.of(plan.startCommand()),
                        plan.port(), plan.portEnv(), plan.runEnv(), plan.runSecrets(), new Resources(256, 512))))),
                List.of(new ControlPlaneState.ConnectionState(new Connection("c", "arn:c", ProviderType.GITHUB, ConnectionStatus.AVAILABLE, now), dev.slipway.core.source.RepositoryCredential.token("token"), Map.of("[127.0.0.1]:2222", "SHA256:abc"))),
                new ControlPlaneState.AutoScalingState(List.of(new ControlPlaneState.RevisionState("DefaultConfiguration", 1, "arn:asc", 100, 1, 25, now, null)), "DefaultConfiguration"),
                Map.of("arn:svc", Map.of("team", "blue")));
        FileStateStore store = new FileStateStore(tmp.resolve("state.json"));

        store.save(state);

        assertThat(new FileStateStore(tmp.resolve("state.json")).load()).contains(state);
        assertThat(Files.getPosixFilePermissions(tmp.resolve("state.json"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(tmp.resolve("state.json.tmp")).doesNotExist();
    }

    @Test
    void aDamagedFileIsReportedWithWhatToDo() throws Exception {
        Files.writeString(tmp.resolve("state.json"), "{\"version\": 1, \"services\": [");
        assertThatThrownBy(() -> new FileStateStore(tmp.resolve("state.json")).load())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("move the file away");
        assertThat(new FileStateStore(tmp.resolve("absent.json")).load()).isEmpty();
        for (String damaged : java.util.List.of("null", "{\"version\": 2, \"services\": null, \"connections\": [], \"tags\": {}}",
                "{\"version\": 2, \"services\": [null], \"connections\": [], \"autoScaling\": {\"revisions\": []}, \"tags\": {}}")) {
            Files.writeString(tmp.resolve("state.json"), damaged);
            assertThatThrownBy(() -> new FileStateStore(tmp.resolve("state.json")).load()).as(damaged)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("move the file away");
        }
    }
}
