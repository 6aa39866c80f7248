package dev.slipway.core.internal.control;

import dev.slipway.core.InternalServiceErrorException;
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
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the control plane keeps, behind one lock: the registry of services (immutable records, unique names,
 * the quota), connections, tags and auto scaling configurations. A change runs under the lock and is written to the
 * {@link StateStore} before the lock is released and the caller returns (changes are saved one at a time, in order,
 * and nobody reads a change before it is saved). A change that cannot be saved (a full disk) is undone: nothing of it
 * stays, and the caller gets {@link InternalServiceErrorException}; a change that records what already happened (an
 * operation ended) is saved again until it can be ({@link #writeEventually}), and shows only then.
 */
public final class ControlState {
    private static final Logger LOG = LoggerFactory.getLogger(ControlState.class);
    private final Object lock = new Object();
    private final StateStore store;
    private final Quotas quotas;
    final Arns arns;
    final Map<String, ServiceRecord> services = new LinkedHashMap<>();
    final Connections connections;
    final Tags tags = new Tags();
    final AutoScalingConfigurations autoScaling;
    private final Object retry = new Object();
    private volatile boolean closed;

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

    /**
     * Changes under the lock, then saves the state (outside the lock) before returning. If the change throws, what it
     * did so far is undone; if saving fails, the change is undone and {@link InternalServiceErrorException} says why.
     */
    <T> T write(Supplier<T> change) {
        synchronized (lock) { // the save too: a reader never sees a change that is not saved (and may yet be undone)
            Backup before = backup();
            T result;
            try {
                result = change.get();
            } catch (RuntimeException e) {
                before.restore(this); // a change that fails halfway leaves nothing behind
                throw e;
            }
            try {
                store.save(snapshot());
            } catch (RuntimeException e) {
                before.restore(this);
                LOG.warn("could not save the state, so the change was undone: {}", rootMessage(e));
                throw new InternalServiceErrorException("Slipway could not save its state, so nothing was changed ("
                        + rootMessage(e) + "). Free space in the state directory and try again.", e);
            }
            return result;
        }
    }

    void write(Runnable change) {
        write(() -> {
            change.run();
            return null;
        });
    }

    /**
     * Writes a change that records what already happened (an operation ended, a revision now serves): if it cannot be
     * saved, it is tried again (1 s, 2 s ... every 30 s) until it is, and only then shows. Returns once saved, or
     * throws once {@link #close()} was called.
     */
    void writeEventually(Runnable change) {
        long delay = 1000;
        for (int attempt = 1; ; attempt++) {
            try {
                write(change);
                if (attempt > 1) {
                    LOG.info("the state could be saved again after {} attempts", attempt);
                }
                return;
            } catch (InternalServiceErrorException e) {
                if (attempt == 1) {
                    LOG.warn("retrying until the state can be saved; the change shows once it is");
                }
                synchronized (retry) {
                    if (closed) {
                        throw e;
                    }
                    try {
                        retry.wait(delay); // woken early by close()
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
                delay = Math.min(delay * 2, 30_000);
            }
        }
    }

    /** Stops the retries of {@link #writeEventually}. */
    void close() {
        synchronized (retry) {
            closed = true;
            retry.notifyAll();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + t;
    }

    /** What a failed save undoes: the services (immutable records) and the other parts as saved. */
    private record Backup(Map<String, ServiceRecord> services, Map<OperationRecord, OperationRecord.Progress> operations,
                          List<ControlPlaneState.ConnectionState> connections,
                          ControlPlaneState.AutoScalingState autoScaling, Map<String, Map<String, String>> tags) {
        void restore(ControlState state) {
            state.services.clear();
            state.services.putAll(services);
            operations.forEach(OperationRecord::reset);
            state.connections.restore(connections);
            state.autoScaling.restore(autoScaling);
            state.tags.restore(tags);
        }
    }

    private Backup backup() {
        Map<OperationRecord, OperationRecord.Progress> unfinished = new java.util.IdentityHashMap<>();
        services.values().forEach(s -> s.operations().stream().filter(o -> !o.summary().isDone())
                .forEach(o -> unfinished.put(o, o.progress())));
        return new Backup(new LinkedHashMap<>(services), unfinished, connections.export(), autoScaling.export(), tags.export());
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
