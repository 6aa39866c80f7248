package dev.slipway.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.build.BuildPlan;
import dev.slipway.core.model.*;
import dev.slipway.core.model.Runtime;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.Resources;
import dev.slipway.core.spi.RunConfiguration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StateStore} must do, run by a subclass against the real store: a new store on the same place
 * (a restarted control plane) loads exactly what was saved last, every field included; a save replaces the state
 * (a service deleted is gone); nothing saved loads as empty.
 */
public abstract class StateStoreContract {
    /** A store on the same place each time it is called (as a restarted control plane opens it again). */
    protected abstract StateStore openStore();

    @Test
    void aNewStoreOnTheSamePlaceLoadsEverythingSavedLast() {
        ControlPlaneState state = state(List.of(service("svc", "id1"), service("other", "id2")));
        openStore().save(state);
        assertThat(openStore().load()).contains(state);
    }

    @Test
    void aSaveReplacesTheStateAndADeletedServiceIsGone() {
        StateStore store = openStore();
        store.save(state(List.of(service("svc", "id1"), service("other", "id2"))));
        ControlPlaneState later = state(List.of(service("svc", "id1").withStatus(ServiceStatus.PAUSED)));
        store.save(later);
        store.save(later);
        assertThat(openStore().load()).contains(later);
    }

    @Test
    void nothingSavedLoadsAsEmpty() {
        assertThat(openStore().load()).isEmpty();
    }

    protected static ControlPlaneState state(List<ServiceVariant> services) {
        Instant now = Instant.parse("2026-11-25T10:15:30.123Z");
        return new ControlPlaneState(ControlPlaneState.VERSION, new ArrayList<>(services.stream().map(ServiceVariant::state).toList()),
                List.of(new ControlPlaneState.ConnectionState(new Connection("c", "arn:c", ProviderType.GITHUB, ConnectionStatus.AVAILABLE, now),
                        dev.slipway.core.source.RepositoryCredential.token("token"), Map.of("[127.0.0.1]:2222", "SHA256:abc"))),
                new ControlPlaneState.AutoScalingState(List.of(new ControlPlaneState.RevisionState("DefaultConfiguration", 1, "arn:asc",
                        100, 1, 25, now, null)), "DefaultConfiguration"),
                Map.of("arn:svc", Map.of("team", "blue")));
    }

    /** A service as stored, with every kind of field set. */
    protected static ServiceVariant service(String name, String id) {
        Instant now = Instant.parse("2026-11-25T10:15:30.123Z").plus(id.hashCode() % 1000, ChronoUnit.SECONDS);
        BuildPlan plan = new BuildPlan(Runtime.PYTHON_3, Optional.of("3.11"), List.of("a"), List.of("b"), List.of(),
                Map.of("B", "1"), "python app.py", 8000, Optional.of("APP_PORT"), Map.of("NAME", "Jane"), Map.of("KEY", "s3cret"));
        return new ServiceVariant(new ControlPlaneState.ServiceState(name, id, "arn:" + name, name + "-" + id + ".localhost", now, now,
                ServiceStatus.RUNNING,
                SourceConfiguration.of(new CodeRepository("file:///app", SourceCodeVersion.branch("main"), CodeConfiguration.fromRepository(), null)),
                InstanceConfiguration.DEFAULT, HealthCheckConfiguration.DEFAULT, NetworkConfiguration.DEFAULT, null,
                new ServiceObservabilityConfiguration(false, null), "arn:asc",
                new ControlPlaneState.ServiceSpec(null, InstanceConfiguration.DEFAULT, HealthCheckConfiguration.DEFAULT, null, null, "arn:asc"),
                List.of(new ControlPlaneState.OperationState(new OperationSummary("op-" + id, OperationType.CREATE_SERVICE,
                        OperationStatus.SUCCEEDED, "arn:" + name, now, now, now), null)),
                new PreparedRevision(id, "rev", "/work/rev", Map.of("PATH", "/usr/bin"), new RunConfiguration(Optional.of(plan.startCommand()),
                        plan.port(), plan.portEnv(), plan.runEnv(), plan.runSecrets(), new Resources(256, 512)))));
    }

    /** A stored service, changeable for a test. */
    protected record ServiceVariant(ControlPlaneState.ServiceState state) {
        public ServiceVariant withStatus(ServiceStatus status) {
            ControlPlaneState.ServiceState s = state;
            return new ServiceVariant(new ControlPlaneState.ServiceState(s.name(), s.id(), s.arn(), s.host(), s.createdAt(),
                    s.updatedAt(), status, s.source(), s.instance(), s.health(), s.network(), s.encryption(), s.observability(),
                    s.autoScalingArn(), s.rollback(), s.operations(), s.revision()));
        }
    }
}
