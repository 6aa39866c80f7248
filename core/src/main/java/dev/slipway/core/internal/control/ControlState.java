package dev.slipway.core.internal.control;

import dev.slipway.core.InternalServiceErrorException;
import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.Quotas;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.ServiceQuotaExceededException;
import dev.slipway.core.internal.Arns;
import dev.slipway.core.internal.store.StateSchema;
import dev.slipway.core.store.StateCommit;
import dev.slipway.core.store.StateStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the control plane keeps: the registry of services (immutable records, unique names, the quota),
 * connections, tags and auto scaling configurations.
 *
 * <p>Readers never wait: they read what was published last, without a lock. Writers take turns: a change is staged
 * (the services it puts or removes, its own copy of the shared parts), saved as a {@link StateCommit} of only the
 * documents it changed, and published only then, so nobody reads a change that is not saved, and a slow save holds
 * up only the next writer. A change that throws, or cannot be saved (a full disk), leaves nothing behind; the caller
 * gets {@link InternalServiceErrorException} for the second. A change that records what already happened (an
 * operation ended) is saved again until it can be ({@link #writeEventually}), and shows only then.
 *
 * <p>Each service's record is published on its own (a reader sees a whole record, old or new); the shared parts
 * (connections, auto scaling configurations, their tags) are published together. They are few (quotas of tens), so a
 * change of them copies them; a change of a service copies nothing else, and saves the service's document and the
 * operations that moved on, not its whole history.
 */
public final class ControlState {
    private static final Logger LOG = LoggerFactory.getLogger(ControlState.class);
    private final StateStore store;
    private final Quotas quotas;
    final Arns arns;

    // published: read without a lock
    private final Map<String, ServiceRecord> services = new ConcurrentHashMap<>();
    private final Map<String, String> arnsByName = new ConcurrentHashMap<>();
    private final Map<String, Integer> autoScalingUse = new ConcurrentHashMap<>();
    private final Map<String, OperationRecord> operations = new ConcurrentHashMap<>();
    private volatile SharedResources published;

    // the writer's, under writeLock
    private final Object writeLock = new Object();
    private final Map<String, ServiceRecord> staged = new LinkedHashMap<>(); // by ARN; null: removed
    private SharedResources working;
    private boolean sharedTouched;
    private Map<String, String> savedShared = Map.of();

    private final UntilSaved untilSaved = new UntilSaved();
    /** Told of the events of each saved change, in order, under the write lock (it must not block); null: nobody. */
    private EventDispatch events;
    private String account = "000000000000";
    private String region = "us-east-1";

    public ControlState(Arns arns, Quotas quotas, StateStore store) {
        this.arns = arns;
        this.quotas = quotas;
        this.store = store;
        this.working = newShared();
        this.published = copy(working);
    }

    /** Reads what was published last; never waits for a writer. */
    <T> T read(Supplier<T> query) {
        return query.get();
    }

    /**
     * Changes, saves what changed, then publishes it, one writer at a time. If the change throws, nothing of it stays;
     * if saving fails, nothing of it stays and {@link InternalServiceErrorException} says why.
     */
    <T> T write(Supplier<T> change) {
        synchronized (writeLock) {
            T result;
            try {
                result = change.get();
            } catch (RuntimeException e) {
                discard();
                throw e;
            }
            Map<String, String> puts = new LinkedHashMap<>();
            Set<String> deletes = new HashSet<>();
            staged.forEach((arn, s) -> StateDocuments.changes(services.get(arn), s, puts, deletes));
            Map<String, String> shared = sharedTouched ? working.documents() : savedShared;
            shared.forEach((key, json) -> {
                if (!json.equals(savedShared.get(key))) {
                    puts.put(key, json);
                }
            });
            List<dev.slipway.core.events.AppRunnerEvent> made = events == null ? List.of()
                    : ServiceEvents.of(services, staged, account, region);
            EventDispatch.Batch batch = made.isEmpty() ? null : events.batch(made);
            if (batch != null) {
                puts.putAll(batch.documents()); // what the rules owe is saved with the change that makes the events
            }
            try {
                if (!puts.isEmpty() || !deletes.isEmpty()) {
                    store.commit(new StateCommit(StateSchema.VERSION, puts, deletes));
                }
            } catch (RuntimeException e) {
                discard();
                LOG.warn("could not save the state, so the change was undone: {}", rootMessage(e));
                throw new InternalServiceErrorException("Slipway could not save its state, so nothing was changed ("
                        + rootMessage(e) + "). Free space in the state directory and try again.", e);
            }
            if (batch != null) {
                events.saved(batch);
            }
            if (shared != savedShared && !shared.equals(savedShared)) {
                savedShared = shared;
                published = copy(working);
            }
            sharedTouched = false;
            staged.forEach(this::publish);
            staged.clear();
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
        untilSaved.write(() -> write(change));
    }

    /** One of Slipway's own events about {@code s}, for what is not a saved change (a scaling the autoscaler decided). */
    void emit(ServiceRecord s, String detailType, Map<String, String> fields) {
        synchronized (writeLock) {
            if (events == null) {
                return;
            }
            EventDispatch.Batch batch = events.batch(List.of(ServiceEvents.slipway(detailType, ServiceEvents.state(s), fields,
                    account, region, java.time.Instant.now())));
            if (!batch.owed().isEmpty()) {
                try {
                    store.commit(new StateCommit(StateSchema.VERSION, batch.documents(), Set.of()));
                } catch (RuntimeException e) { // sent all the same, only not after a restart
                    LOG.warn("could not save the deliveries owed for an event: {}", rootMessage(e));
                }
            }
            events.saved(batch);
        }
    }

    /** Where the events of saved changes go (see {@link ServiceEvents}), and the account and region they name. */
    void emitEvents(EventDispatch sink, String account, String region) {
        this.events = sink;
        this.account = account;
        this.region = region;
    }

    /** Removes documents that are no longer needed (delivered events'), if the store is still open. */
    void forget(Set<String> keys) {
        synchronized (writeLock) {
            if (!untilSaved.closed()) {
                store.commit(new StateCommit(StateSchema.VERSION, Map.of(), keys));
            }
        }
    }

    /** Takes back what the rules still owed when the state was saved last. */
    void restoreOwed(Map<String, String> documents) {
        if (events != null) {
            events.restore(documents);
        }
    }

    /** Stops the retries of {@link #writeEventually}. */
    void close() {
        untilSaved.close();
    }

    /** Publishes what was read back from the store, as it was saved (nothing to save again). */
    void restore(Collection<ServiceRecord> saved, SharedResources shared) {
        synchronized (writeLock) {
            working = shared;
            published = copy(shared);
            savedShared = shared.documents();
            saved.forEach(s -> publish(s.arn(), s));
        }
    }

    private void discard() {
        staged.clear();
        if (sharedTouched) {
            working = copy(published);
            sharedTouched = false;
        }
    }

    private void publish(String arn, ServiceRecord next) {
        ServiceRecord before = next == null ? services.remove(arn) : services.put(arn, next);
        if (before != null) {
            arnsByName.remove(before.name(), arn);
            autoScalingUse.computeIfPresent(before.spec().autoScalingArn(), (k, n) -> n > 1 ? n - 1 : null);
            if (next == null) { // its operations' handles go with it (its last one was ended by who deleted it)
                before.operations().forEach(op -> operations.remove(op.id()));
            }
        }
        if (next != null) {
            arnsByName.put(next.name(), arn);
            autoScalingUse.merge(next.spec().autoScalingArn(), 1, Integer::sum);
            for (OperationState op : next.operations()) {
                OperationRecord handle = operations.get(op.id());
                if (handle != null) {
                    handle.published(op);
                    if (op.summary().isDone()) {
                        operations.remove(op.id());
                    }
                }
            }
        }
    }

    /** None yet: the implicit DefaultConfiguration only. */
    SharedResources newShared() {
        return SharedResources.empty(arns, quotas);
    }

    private SharedResources copy(SharedResources s) {
        return s.copy(arns, quotas);
    }

    private boolean writing() {
        return Thread.holdsLock(writeLock);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + t;
    }

    // ---------------------------------------------------------------- the shared parts: the writer's copy, or the published one

    Connections connections() {
        return shared().connections();
    }

    AutoScalingConfigurations autoScaling() {
        return shared().autoScaling();
    }

    ObservabilityConfigurations observability() {
        return shared().observability();
    }

    VpcConnectors vpcConnectors() {
        return shared().vpcConnectors();
    }

    IngressConnections ingressConnections() {
        return shared().ingressConnections();
    }

    /** Whether a service's egress goes through the VPC connector revision {@code arn}. */
    boolean vpcConnectorInUse(String arn) {
        return allServices().stream().anyMatch(s -> s.spec().network() != null && s.spec().network().egressConfiguration() != null
                && arn.equals(s.spec().network().egressConfiguration().vpcConnectorArn()));
    }

    SecretStore secrets() {
        return shared().secrets();
    }

    Tags tags() {
        return shared().tags();
    }

    private SharedResources shared() {
        if (writing()) {
            sharedTouched = true;
            return working;
        }
        return published;
    }

    // ---------------------------------------------------------------- the registry of services

    ServiceRecord service(String arn) {
        arns.parts(arn, "service", "serviceArn");
        ServiceRecord s = writing() && staged.containsKey(arn) ? staged.get(arn) : services.get(arn);
        if (s == null) {
            throw new ResourceNotFoundException("No service " + arn);
        }
        return s;
    }

    /** The service, if it exists (no check of the ARN's form). */
    Optional<ServiceRecord> find(String serviceArn) {
        return Optional.ofNullable(writing() && staged.containsKey(serviceArn) ? staged.get(serviceArn) : services.get(serviceArn));
    }

    boolean exists(String serviceArn) {
        return writing() && staged.containsKey(serviceArn) ? staged.get(serviceArn) != null : services.containsKey(serviceArn);
    }

    void checkNewService(String name) {
        String existing = arnsByName.get(name);
        boolean taken = staged.values().stream().anyMatch(s -> s != null && s.name().equals(name))
                || existing != null && !(staged.containsKey(existing) && staged.get(existing) == null);
        if (taken) {
            throw new InvalidRequestException("A service named " + name + " already exists; choose another ServiceName or delete that service");
        }
        long count = services.size() + staged.entrySet().stream()
                .mapToLong(e -> e.getValue() == null ? -1 : services.containsKey(e.getKey()) ? 0 : 1).sum();
        if (count >= quotas.services()) {
            throw new ServiceQuotaExceededException("You have reached the quota of " + quotas.services()
                    + " services (failed ones count too); delete a service before creating another");
        }
    }

    /** Stages a new or changed service (under {@link #write}). */
    void put(ServiceRecord s) {
        requireWriting();
        staged.put(s.arn(), s);
    }

    /** Stages the removal of a service (under {@link #write}). */
    void remove(String arn) {
        requireWriting();
        staged.put(arn, null);
    }

    /** The handle callers hold of a new operation; it follows the operation as saved records show it. */
    OperationRecord track(OperationState op) {
        OperationRecord handle = new OperationRecord(op);
        operations.put(op.id(), handle);
        return handle;
    }

    /** Every service, oldest first (what a writer staged included). */
    List<ServiceRecord> allServices() {
        Map<String, ServiceRecord> all = new LinkedHashMap<>(services);
        if (writing()) {
            staged.forEach((arn, s) -> {
                if (s == null) {
                    all.remove(arn);
                } else {
                    all.put(arn, s);
                }
            });
        }
        List<ServiceRecord> list = new ArrayList<>(all.values());
        list.sort(Comparator.comparing(ServiceRecord::createdAt).thenComparing(ServiceRecord::arn));
        return list;
    }

    /** Whether a service uses the observability configuration revision {@code arn}. */
    boolean observabilityInUse(String arn) {
        return allServices().stream().anyMatch(s -> arn.equals(s.spec().observability().observabilityConfigurationArn()));
    }

    /** Whether a service uses an auto scaling configuration revision (by ARN). */
    Predicate<String> autoScalingInUse() {
        if (writing() && !staged.isEmpty()) {
            return arn -> allServices().stream().anyMatch(s -> s.spec().autoScalingArn().equals(arn));
        }
        return autoScalingUse::containsKey;
    }

    private void requireWriting() {
        if (!writing()) {
            throw new IllegalStateException("a change of the registry outside ControlState.write");
        }
    }
}
