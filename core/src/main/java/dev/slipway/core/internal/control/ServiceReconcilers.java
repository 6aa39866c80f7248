package dev.slipway.core.internal.control;

import dev.slipway.core.events.AppRunnerEvent;
import dev.slipway.core.internal.Parallel;
import dev.slipway.core.internal.runtime.DesiredState;
import dev.slipway.core.internal.runtime.ReconcilerThreads;
import dev.slipway.core.internal.runtime.ServiceIdentity;
import dev.slipway.core.internal.runtime.ServiceReconciler;
import dev.slipway.core.internal.scaling.ConcurrencyAutoscaler;
import dev.slipway.core.model.ServiceStatus;
import dev.slipway.core.observe.LogSink;
import dev.slipway.core.spi.AdoptedInstance;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The services' reconcilers, one each (on the shared {@link ReconcilerThreads}): made with the service or when it is
 * read back from the state store, closed when it is deleted or Slipway closes.
 */
final class ServiceReconcilers implements AutoCloseable {
    private final Map<String, ServiceReconciler> byArn = new ConcurrentHashMap<>();
    private final ReconcilerThreads threads = ReconcilerThreads.start();
    private final ControlState state;
    private final ServiceRuntime runtime;
    private final ServiceSettings settings;

    ServiceReconcilers(ControlState state, ServiceRuntime runtime, ServiceSettings settings) {
        this.state = state;
        this.runtime = runtime;
        this.settings = settings;
    }

    /** The service's reconciler, made the first time (its instances start with their secrets resolved). */
    ServiceReconciler of(ServiceRecord s) {
        return byArn.computeIfAbsent(s.arn(), arn -> new ServiceReconciler(
                new ServiceIdentity(runtime.controlPlaneId(), s.name(), s.id(), arn, s.host()),
                new SecretResolvingBackend(runtime.backend(), reference -> state.read(() -> state.secrets().resolve(reference))),
                runtime.routing(), runtime.logs(), runtime.probes(), runtime.timeouts(), threads,
                (instance, why) -> state.read(() -> state.find(arn)).ifPresent(r -> state.emit(r,
                        AppRunnerEvent.INSTANCE_REPLACED, Map.of("InstanceId", instance, "Reason", why,
                                "Message", "Instance " + instance + " " + why + "; replacing it.", "Severity", "WARNING")))));
    }

    /** The reconciler of a service that has one (null once it was deleted). */
    ServiceReconciler get(String arn) {
        return byArn.get(arn);
    }

    /** How many instances the service's reconciler is asked for now (0 before it has one). */
    int desiredCount(String arn) {
        return Optional.ofNullable(byArn.get(arn)).map(r -> r.status().desired().count()).orElse(0);
    }

    /** A deleted service's reconciler stops its instances and goes. */
    void remove(String arn) {
        Optional.ofNullable(byArn.remove(arn)).ifPresent(ServiceReconciler::close);
    }

    /** Takes over a service read back from the state store, with what a previous run left of it. */
    void adopt(ServiceRecord s, List<AdoptedInstance> adopted, Set<String> answering) {
        settings.trace(s);
        settings.encryptLogs(s);
        of(s).adopt(adopted, s.revision(), runtime.backend().capabilities().keepsInstancesAcrossRestarts(),
                answering, s.spec().health(), settings.maxConcurrency(s));
    }

    /** Shows a restored service as it was: paused, or unavailable with a message. */
    void show(ServiceRecord s, DesiredState.Mode mode, String message) {
        settings.trace(s);
        settings.encryptLogs(s);
        byArn.get(s.arn()).converge(DesiredState.notServing(mode, s.revision(), message, s.spec().health(), settings.maxConcurrency(s)),
                LogSink.DISCARD);
    }

    /** A running service as the autoscaler sees it: its reconciler and its auto scaling configuration's settings. */
    record Scalable(String arn, String id, String name, ConcurrencyAutoscaler.Settings settings, ServiceReconciler reconciler) {
    }

    /** The running services, for the autoscaler (services in an operation are not among them). */
    List<Scalable> scalable() {
        return state.read(() -> state.allServices().stream()
                .filter(s -> s.status() == ServiceStatus.RUNNING && byArn.containsKey(s.arn()))
                .map(s -> new Scalable(s.arn(), s.id(), s.name(), settings.scaling(s), byArn.get(s.arn())))
                .toList());
    }

    /** Every reconciler stops its instances (without draining: {@code Slipway.close()} drained the router first). */
    @Override
    public void close() {
        Parallel.forEach("slipway-stop", List.copyOf(byArn.values()), ServiceReconciler::close);
        threads.close();
    }
}
