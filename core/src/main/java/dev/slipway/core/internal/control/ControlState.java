package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.Quotas;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.ServiceQuotaExceededException;
import dev.slipway.core.internal.Arns;
import dev.slipway.core.scaling.AutoScalingConfigurations;
import dev.slipway.core.store.ControlPlaneState;
import dev.slipway.core.store.StateStore;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Everything the control plane keeps, behind one lock: the registry of services (immutable records, unique names,
 * the quota), connections, tags and auto scaling configurations. A change runs under the lock and takes a snapshot;
 * the snapshot is written to the {@link StateStore} after the lock is released (in order: a newer snapshot is never
 * overwritten by an older one), and before the change's caller returns.
 */
public final class ControlState {
    private final Object lock = new Object();
    private final Object writeLock = new Object();
    private final StateStore store;
    private final Quotas quotas;
    final Arns arns;
    final Map<String, ServiceRecord> services = new LinkedHashMap<>();
    final Connections connections;
    final Tags tags = new Tags();
    final AutoScalingConfigurations autoScaling;
    private long version;
    private long written;

    public ControlState(Arns arns, Quotas quotas, StateStore store) {
        this.arns = arns;
        this.quotas = quotas;
        this.store = store;
        this.connections = new Connections(arns, quotas.connections());
        this.autoScaling = new AutoScalingConfigurations(arns, quotas.autoScalingConfigurationNames(), quotas.revisionsPerName());
    }

    /** Reads under the lock. */
    <T> T read(Supplier<T> query) {
        synchronized (lock) {
            return query.get();
        }
    }

    /** Changes under the lock, then saves the state (outside the lock) before returning. Nothing is saved if it throws. */
    <T> T write(Supplier<T> change) {
        T result;
        ControlPlaneState snapshot;
        long seq;
        synchronized (lock) {
            result = change.get();
            snapshot = snapshot();
            seq = ++version;
        }
        synchronized (writeLock) {
            if (seq > written) {
                store.save(snapshot);
                written = seq;
            }
        }
        return result;
    }

    void write(Runnable change) {
        write(() -> {
            change.run();
            return null;
        });
    }

    // ---------------------------------------------------------------- the registry of services (under the lock)

    ServiceRecord service(String arn) {
        arns.parts(arn, "service", "serviceArn");
        ServiceRecord s = services.get(arn);
        if (s == null) {
            throw new ResourceNotFoundException("No service " + arn);
        }
        return s;
    }

    void checkNewService(String name) {
        if (services.values().stream().anyMatch(x -> x.name().equals(name))) {
            throw new InvalidRequestException("A service named " + name + " already exists; choose another ServiceName or delete that service");
        }
        if (services.size() >= quotas.services()) {
            throw new ServiceQuotaExceededException("You have reached the quota of " + quotas.services()
                    + " services (failed ones count too); delete a service before creating another");
        }
    }

    void put(ServiceRecord s) {
        services.put(s.arn(), s);
    }

    Collection<ServiceRecord> allServices() {
        return services.values();
    }

    /** Whether a service uses the auto scaling configuration revision {@code arn}. */
    Predicate<String> autoScalingInUse() {
        return arn -> services.values().stream().anyMatch(s -> s.spec().autoScalingArn().equals(arn));
    }

    /** The whole state as the store keeps it; called under the lock. */
    private ControlPlaneState snapshot() {
        return new ControlPlaneState(ControlPlaneState.VERSION, services.values().stream().map(s -> new ControlPlaneState.ServiceState(
                s.name(), s.id(), s.arn(), s.host(), s.createdAt(), s.updatedAt(), s.status(), s.spec().source(),
                s.spec().instance(), s.spec().health(), s.spec().network(), s.encryption(), s.spec().observability(),
                s.spec().autoScalingArn(), s.rollback().orElse(null),
                s.operations().stream().map(o -> new ControlPlaneState.OperationState(o.summary(), o.failureReason().orElse(null))).toList(),
                s.revision().orElse(null))).toList(),
                connections.export(), autoScaling.export(), tags.export());
    }
}
