package dev.slipway.core.internal.control;

import dev.slipway.core.internal.runtime.DesiredState;
import dev.slipway.core.lifecycle.ServiceLifecycle;
import dev.slipway.core.model.ServiceStatus;
import dev.slipway.core.spi.AdoptedInstance;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.store.ControlPlaneState;
import dev.slipway.core.store.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restart recovery: reads the saved state back (every service, operation, connection, configuration and tag), adopts
 * what the previous run of this control plane left running, reaps what dead control planes left, and sets each
 * service's desired state: running ones start their kept revision again (no build, no new operation), paused ones
 * stay paused, an operation the previous run did not finish ends FAILED with the status its failure leads to (an
 * interrupted update's settings roll back).
 */
public final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private Recovery() {
    }

    public static void restore(StateStore store, ControlState state, ServiceActions actions, ComputeBackend backend,
                               String controlPlaneId) {
        List<AdoptedInstance> adopted = new ArrayList<>(backend.adopt(controlPlaneId));
        int reaped = backend.reapOrphans();
        if (reaped > 0) {
            LOG.info("stopped {} instance(s) and build(s) left running by control planes that are gone", reaped);
        }
        Optional<ControlPlaneState> loaded = store.load();
        List<ServiceRecord> restored = state.write(() -> loaded.map(saved -> {
            state.autoScaling.restore(saved.autoScaling());
            state.connections.restore(saved.connections());
            state.tags.restore(saved.tags());
            return saved.services().stream().map(Recovery::record).peek(state::put).toList();
        }).orElse(List.of()));
        // what the previous run left and this one does not keep stops first, all at once, before anything starts again
        boolean keeps = backend.capabilities().keepsInstancesAcrossRestarts();
        Map<String, ServiceRecord> byArn = restored.stream().collect(Collectors.toMap(ServiceRecord::arn, s -> s));
        List<AdoptedInstance> stale = adopted.stream().filter(a -> !keeps || !byArn.containsKey(a.spec().serviceArn())
                || !byArn.get(a.spec().serviceArn()).revision().map(r -> r.revisionId().equals(a.spec().revisionId())).orElse(false))
                .toList();
        stale.parallelStream().forEach(a -> backend.stop(a.handle(), Duration.ofSeconds(5)));
        stale.stream().filter(a -> byArn.containsKey(a.spec().serviceArn())).forEach(a -> actions.note(byArn.get(a.spec().serviceArn()),
                "Instance " + a.spec().instanceId() + " left by the previous run of Slipway was stopped"));
        Map<String, List<AdoptedInstance>> byService = adopted.stream().filter(a -> !stale.contains(a))
                .collect(Collectors.groupingBy(a -> String.valueOf(a.spec().serviceArn())));
        for (ServiceRecord s : restored) {
            actions.adoptRestored(s, byService.getOrDefault(s.arn(), List.of()));
            interruptedOperation(s, loaded.get()).ifPresent(op -> actions.noteInterrupted(s, op));
            if (s.status() == ServiceStatus.PAUSED) {
                actions.showRestored(s, DesiredState.Mode.PAUSED, "");
            } else if (s.status() == ServiceStatus.RUNNING && s.revision().isPresent()) {
                actions.restart(s);
            } else {
                actions.showRestored(s, DesiredState.Mode.UNAVAILABLE, "Service " + s.name() + " is " + s.status()
                        + "; see its events and deployment logs.");
            }
        }
        if (loaded.isPresent()) {
            LOG.info("restored {} service(s) from the state store", restored.size());
        }
    }

    /** The operation of {@code s} that the previous run did not finish, now ended FAILED. */
    private static Optional<OperationRecord> interruptedOperation(ServiceRecord s, ControlPlaneState saved) {
        return saved.services().stream().filter(x -> x.arn().equals(s.arn())).findFirst()
                .flatMap(x -> x.operations().stream().filter(o -> !o.summary().isDone()).findFirst())
                .flatMap(o -> s.operations().stream().filter(r -> r.id().equals(o.summary().id())).findFirst());
    }

    private static ServiceRecord record(ControlPlaneState.ServiceState saved) {
        List<OperationRecord> operations = saved.operations().stream()
                .map(o -> OperationRecord.restored(o.summary(), o.failureReason())).toList();
        boolean interrupted = saved.status() == ServiceStatus.OPERATION_IN_PROGRESS && !operations.isEmpty();
        ServiceStatus status = interrupted ? ServiceLifecycle.statusAfter(operations.get(0).type(), false) : saved.status();
        ControlPlaneState.ServiceSpec spec = new ControlPlaneState.ServiceSpec(saved.source(), saved.instance(), saved.health(),
                saved.network(), saved.observability(), saved.autoScalingArn());
        if (interrupted && saved.rollback() != null) {
            spec = saved.rollback(); // an update the crash interrupted changes nothing, as a failed one
        }
        boolean restarts = status == ServiceStatus.RUNNING && saved.revision() != null;
        return new ServiceRecord(saved.name(), saved.id(), saved.arn(), saved.host(), saved.createdAt(), saved.updatedAt(),
                status, restarts, spec, saved.encryption(), Optional.empty(), operations, Optional.ofNullable(saved.revision()));
    }
}
