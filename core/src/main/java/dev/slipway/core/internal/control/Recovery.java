package dev.slipway.core.internal.control;

import dev.slipway.core.internal.Parallel;
import dev.slipway.core.internal.runtime.DesiredState;
import dev.slipway.core.internal.lifecycle.ServiceLifecycle;
import dev.slipway.core.model.ServiceStatus;
import dev.slipway.core.spi.AdoptedInstance;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.internal.store.Migrations;
import dev.slipway.core.internal.store.StateSchema;
import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.store.StateCommit;
import dev.slipway.core.store.StoredState;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import dev.slipway.core.store.StateStore;
import java.time.Duration;
import dev.slipway.core.spi.InstanceHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import dev.slipway.core.routing.Route;
import dev.slipway.core.spi.PreparedRevision;
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
    private static final String INTERRUPTED = "interrupted: Slipway stopped before the operation ended";

    private Recovery() {
    }

    /**
     * What {@link #load} read back: the services, those whose operation the previous run did not finish, the instances
     * the previous run left, and which of those it found answering (serving at once).
     */
    public record Restored(List<ServiceRecord> services, Set<String> interrupted, List<AdoptedInstance> adopted,
                           Set<String> answering) {
    }

    /**
     * Reads the saved state back and gives every restored service its route at once, so that the router, started next,
     * never answers 404 for a service that exists: the kept instances that still accept connections (probed all at
     * once), else 503 with Retry-After until it serves again, or its paused answer. Then {@link #resume} takes the
     * instances back.
     */
    public static Restored load(StateStore store, ControlState state, ServiceActions actions, ComputeBackend backend,
                                String controlPlaneId) {
        List<AdoptedInstance> adopted = new ArrayList<>(backend.adopt(controlPlaneId));
        Set<String> interrupted = new HashSet<>();
        List<ServiceRecord> restored = read(store, state, interrupted);
        boolean keeps = backend.capabilities().keepsInstancesAcrossRestarts();
        List<InstanceHandle> candidates = restored.stream().filter(s -> keeps && s.status() == ServiceStatus.RUNNING)
                .flatMap(s -> keptOf(s, adopted).stream()).map(AdoptedInstance::handle).toList();
        Set<String> answering = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Parallel.forEach("slipway-probe", candidates, h -> {
            if (accepts(h)) {
                answering.add(h.instanceId());
            }
        });
        for (ServiceRecord s : restored) {
            showStarting(actions, s, keptOf(s, adopted).stream().map(AdoptedInstance::handle)
                    .filter(h -> answering.contains(h.instanceId())).toList());
        }
        return new Restored(restored, interrupted, adopted, answering);
    }

    /** The instances of {@code s}'s current revision among {@code adopted}. */
    private static List<AdoptedInstance> keptOf(ServiceRecord s, List<AdoptedInstance> adopted) {
        return adopted.stream().filter(a -> s.arn().equals(a.spec().serviceArn())
                && s.revision().map(r -> r.revisionId().equals(a.spec().revisionId())).orElse(false)).toList();
    }

    /** Whether something accepts a TCP connection at the instance's address now (within 200 ms). */
    private static boolean accepts(InstanceHandle h) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(h.host(), h.port()), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Adopts what the previous run of this control plane left running, reaps what dead control planes left, and sets
     * each restored service's desired state.
     */
    public static void resume(Restored loaded, ServiceActions actions, ComputeBackend backend) {
        List<AdoptedInstance> adopted = loaded.adopted();
        int reaped = backend.reapOrphans();
        if (reaped > 0) {
            LOG.info("stopped {} instance(s) and build(s) left running by control planes that are gone", reaped);
        }
        Set<String> interrupted = loaded.interrupted();
        List<ServiceRecord> restored = loaded.services();
        // what the previous run left and this one does not keep stops first, all at once, before anything starts again
        boolean keeps = backend.capabilities().keepsInstancesAcrossRestarts();
        Map<String, ServiceRecord> byArn = restored.stream().collect(Collectors.toMap(ServiceRecord::arn, s -> s));
        List<AdoptedInstance> stale = adopted.stream().filter(a -> !keeps || !byArn.containsKey(a.spec().serviceArn())
                || !byArn.get(a.spec().serviceArn()).revision().map(r -> r.revisionId().equals(a.spec().revisionId())).orElse(false))
                .toList();
        Parallel.forEach("slipway-stop", stale, a -> backend.stop(a.handle(), Duration.ofSeconds(5)));
        stale.stream().filter(a -> byArn.containsKey(a.spec().serviceArn())).forEach(a -> actions.note(byArn.get(a.spec().serviceArn()),
                "Instance " + a.spec().instanceId() + " left by the previous run of Slipway was stopped"));
        Map<String, List<AdoptedInstance>> byService = adopted.stream().filter(a -> !stale.contains(a))
                .collect(Collectors.groupingBy(a -> String.valueOf(a.spec().serviceArn())));
        for (ServiceRecord s : restored) {
            actions.reconcilers().adopt(s, byService.getOrDefault(s.arn(), List.of()), loaded.answering());
            if (interrupted.contains(s.arn())) {
                noteInterrupted(actions, s, s.operations().get(0));
            }
            if (s.status() == ServiceStatus.PAUSED) {
                actions.reconcilers().show(s, DesiredState.Mode.PAUSED, "");
            } else if (s.status() == ServiceStatus.RUNNING && s.revision().isPresent()) {
                actions.restart(s);
            } else {
                actions.reconcilers().show(s, DesiredState.Mode.UNAVAILABLE, "Service " + s.name() + " is " + s.status()
                        + "; see its events and deployment logs.");
            }
        }
        if (!restored.isEmpty()) {
            LOG.info("restored {} service(s) from the state store", restored.size());
        }
    }

    /**
     * Reads the state back (migrated to this Slipway's schema first, and saved so), publishes it, and saves what a
     * restart changes: an operation the previous run did not finish ends FAILED, with the status its failure leads to.
     */
    private static List<ServiceRecord> read(StateStore store, ControlState state, Set<String> interruptedArns) {
        Optional<StoredState> stored = store.load();
        if (stored.isEmpty()) {
            return List.of();
        }
        Map<String, String> documents = Migrations.toCurrent(stored.get());
        if (stored.get().schemaVersion() != StateSchema.VERSION) {
            Set<String> old = new HashSet<>(stored.get().documents().keySet());
            old.removeAll(documents.keySet());
            store.commit(new StateCommit(StateSchema.VERSION, documents, old));
            LOG.info("migrated the stored state from schema version {} to {}", stored.get().schemaVersion(), StateSchema.VERSION);
        }
        SharedResources shared = state.newShared();
        Optional.ofNullable(documents.get(StateSchema.CONNECTIONS)).map(StateDocuments::connections).ifPresent(shared.connections()::restore);
        Optional.ofNullable(documents.get(StateSchema.AUTO_SCALING)).map(StateDocuments::autoScaling).ifPresent(shared.autoScaling()::restore);
        Optional.ofNullable(documents.get(StateSchema.OBSERVABILITY)).map(StateDocuments::observability).ifPresent(shared.observability()::restore);
        Optional.ofNullable(documents.get(StateSchema.VPC_CONNECTORS)).map(StateDocuments::vpcConnectors).ifPresent(shared.vpcConnectors()::restore);
        Optional.ofNullable(documents.get(StateSchema.INGRESS_CONNECTIONS)).map(StateDocuments::ingressConnections)
                .ifPresent(shared.ingressConnections()::restore);
        Optional.ofNullable(documents.get(StateSchema.TAGS)).map(StateDocuments::tags).ifPresent(shared.tags()::restore);
        Optional.ofNullable(documents.get(StateSchema.SECRETS)).map(StateDocuments::secrets).ifPresent(shared.secrets()::restore);
        Map<String, List<OperationState>> operations = new HashMap<>();
        documents.forEach((key, json) -> {
            if (StateSchema.isOperationKey(key)) {
                operations.computeIfAbsent(StateSchema.serviceIdOfOperation(key), id -> new ArrayList<>())
                        .add(StateDocuments.readOperation(key, json));
            }
        });
        operations.values().forEach(ops -> ops.sort(Comparator.comparing((OperationState o) -> o.summary().startedAt()).reversed()
                .thenComparing(OperationState::id)));
        List<ServiceRecord> saved = documents.entrySet().stream().filter(e -> StateSchema.isServiceKey(e.getKey()))
                .map(e -> StateDocuments.readService(e.getKey(), e.getValue(),
                        operations.getOrDefault(e.getKey().substring(e.getKey().indexOf('/') + 1), List.of()))).toList();
        List<ServiceRecord> loaded = new ArrayList<>();
        List<ServiceRecord> interrupted = new ArrayList<>();
        for (ServiceRecord s : saved) {
            boolean wasInterrupted = s.status() == ServiceStatus.OPERATION_IN_PROGRESS && !s.operations().isEmpty();
            loaded.add(wasInterrupted ? s : afterRestart(s));
            if (wasInterrupted) {
                interrupted.add(afterRestart(s));
                interruptedArns.add(s.arn());
            }
        }
        // as saved, then the end of the interrupted operations as a change of its own (which its events report)
        state.restore(loaded, shared);
        state.restoreOwed(documents); // what the event rules still owe goes before what the restart's changes owe
        state.write(() -> interrupted.forEach(state::put));
        return state.allServices();
    }

    private static ServiceRecord afterRestart(ServiceRecord saved) {
        boolean interrupted = saved.status() == ServiceStatus.OPERATION_IN_PROGRESS && !saved.operations().isEmpty();
        ServiceRecord s = saved;
        if (interrupted) {
            OperationState op = s.operations().get(0);
            s = s.withOperation(op.ended(OperationStatus.FAILED, INTERRUPTED));
            if (s.rollback().isPresent()) {
                s = s.withSpec(s.rollback().get()); // an update the crash interrupted changes nothing, as a failed one
            }
            s = s.ended(ServiceLifecycle.statusAfter(op.summary().type(), false));
        }
        return s.status() == ServiceStatus.RUNNING && s.revision().isPresent() ? s.withMaintenance(true) : s;
    }

    /** Says in the events and the operation's deployment log that a restart of Slipway ended the operation. */
    private static void noteInterrupted(ServiceActions actions, ServiceRecord s, OperationState op) {
        String why = op.summary().type() + " operation " + op.id() + " failed: " + op.failureReason().orElse("interrupted")
                + "; service status is " + s.status() + (s.status() == ServiceStatus.RUNNING ? " (the previous settings and revision are kept)" : "");
        actions.runtime().logs().sink(s.name(), "deployment/" + op.id()).line("[AppRunner] " + why);
        actions.note(s, why);
    }

    /**
     * The route a restored service has until its reconciler publishes one: its instances that still answer, else 503
     * (Retry-After) while it starts, or paused.
     */
    private static void showStarting(ServiceActions actions, ServiceRecord s, List<InstanceHandle> answering) {
        Route route = !answering.isEmpty() ? Route.serving(s.id(), s.name(), answering.stream()
                .map(h -> new dev.slipway.core.routing.Endpoint(h.instanceId(), h.host(), h.port(),
                        s.revision().map(PreparedRevision::http2).orElse(false))).toList(), actions.settings().maxConcurrency(s))
                : s.status() == ServiceStatus.PAUSED ? Route.paused(s.id(), s.name())
                : Route.unavailable(s.id(), s.name(), s.status() == ServiceStatus.RUNNING && s.revision().isPresent()
                ? "Service " + s.name() + " is starting again after a restart of Slipway. Try again shortly."
                : "Service " + s.name() + " is " + s.status() + "; see its events and deployment logs.");
        actions.runtime().routing().put(s.host(), Optional.of(route));
    }
}
