package dev.slipway.core.internal.runtime;

import dev.slipway.core.Timeouts;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.internal.runtime.DesiredState.Mode;
import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.observe.LogSink;
import dev.slipway.core.observe.LogStreams;
import dev.slipway.core.spi.AdoptedInstance;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.PreparedRevision;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one decider of a service's instances: converges them ({@link ServiceInstances}) to its {@link DesiredState}, on
 * its own loop ({@code slipway-reconciler-<name>}; a {@link SerialLoop} on threads all services share, so an idle
 * service holds no thread). Everything else (operations, the autoscaler, a restart) only hands it a new desired state
 * (a numbered change: a deployment, a rollback, a pause or deletion) or a new count, and reads what it observed from
 * the {@link ReconcilerStatus} it publishes after every pass, or from futures those statuses decide ({@link #await}).
 * Every mutable field is confined to the loop; public methods hand work to it and never wait on it.
 */
public final class ServiceReconciler implements AutoCloseable {
    private static final String STOPPING = "Slipway is stopping";

    private final SerialLoop loop;
    private final ServiceInstances instances;
    private final StatusWatches watches;
    private final AtomicLong generations = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();
    private volatile ReconcilerStatus status;
    private final RoutingTable routing;
    private final String serviceId;

    // confined to the loop thread
    /** The desired state before the last deployment, for {@link #rollBack}. */
    private DesiredState previous;
    private long change;

    /** @param onReplaced told of each healthy instance that crashed or turned unhealthy and is replaced (its id, why) */
    public ServiceReconciler(ServiceIdentity id, ComputeBackend backend, RoutingTable routing, LogStreams logs,
                             HealthProbes probes, Timeouts timeouts, ReconcilerThreads threads,
                             java.util.function.BiConsumer<String, String> onReplaced) {
        this.routing = routing;
        this.serviceId = id.serviceId();
        this.loop = new SerialLoop("slipway-reconciler-" + id.serviceName(), threads.work(), threads.timer());
        this.watches = new StatusWatches(threads.work());
        this.instances = new ServiceInstances(id, backend, routing, logs, probes, timeouts, loop, threads.starts(), this::publishStatus,
                onReplaced);
        this.status = instances.observe(0);
    }

    /**
     * Serves {@code count} new instances of {@code revision} (a new generation: blue/green), checked with
     * {@code healthCheck}, each taking {@code maxConcurrency} requests at once. Returns the change to {@link #await}.
     */
    public long deploy(PreparedRevision revision, int count, String messageUntilServing, HealthCheckConfiguration healthCheck,
                       int maxConcurrency, LogSink progress) {
        return deploy(revision, count, messageUntilServing, healthCheck, maxConcurrency, DesiredState.Traffic.ALL, progress);
    }

    /**
     * As {@link #deploy(PreparedRevision, int, String, HealthCheckConfiguration, int, LogSink)}, the new revision taking
     * only {@code traffic}'s share of the requests once ready while the previous one serves the rest (a progressive
     * deployment: {@link #shift} moves it on).
     */
    public long deploy(PreparedRevision revision, int count, String messageUntilServing, HealthCheckConfiguration healthCheck,
                       int maxConcurrency, DesiredState.Traffic traffic, LogSink progress) {
        long generation = generations.incrementAndGet();
        DesiredState next = new DesiredState(Mode.SERVING, Optional.of(revision), count, generation, messageUntilServing,
                healthCheck, maxConcurrency, traffic);
        return change(now -> {
            previous = now;
            return next;
        }, progress);
    }

    /**
     * Gives back the desired state from before deployment {@code change} (its instances are kept), with the count the
     * service has now: a failed rollout changes nothing. Does nothing if another change came since.
     */
    public void rollBack(long change, LogSink progress) {
        post(() -> {
            if (this.change == change && previous != null) {
                DesiredState back = previous.mode() == Mode.SERVING ? previous.withCount(instances.desired().count()) : previous;
                apply(changes.incrementAndGet(), back, progress);
            }
        });
    }

    /**
     * A progressive deployment's next step: the revision of deployment {@code change} takes {@code traffic}'s share (at
     * 100 % the previous one drains). Does nothing if another change came since.
     */
    public void shift(long change, DesiredState.Traffic traffic) {
        post(() -> {
            if (this.change == change) {
                instances.shift(traffic);
            }
        });
    }

    /**
     * Why the router stopped sending the desired revision its share of a progressive deployment's traffic (its 5xx
     * answers passed the allowed share), if it did.
     */
    public Optional<String> canaryFailure() {
        DesiredState desired = status.desired();
        return desired.revision().flatMap(r -> routing.canaryFailure(serviceId, r.revisionId()));
    }

    /**
     * Changes how many instances serve (the autoscaler's lever). The count is one field of the desired state, merged
     * into whatever change is under way: a rollout in progress carries on with the new count, and never fails for it.
     * The future completes once the service serves with that count, drained (or with the count of a later change), and
     * fails if the service stops serving first.
     */
    public CompletableFuture<Void> scaleTo(int count) {
        return scale(count, -1);
    }

    /** Like {@link #scaleTo}, but only if the service still serves generation {@code generation} (the autoscaler's decision). */
    public CompletableFuture<Void> scaleTo(int count, long generation) {
        return scale(count, generation);
    }

    private CompletableFuture<Void> scale(int count, long generation) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(done, () -> {
            DesiredState now = instances.desired();
            if (generation >= 0 && (now.generation() != generation || now.mode() != Mode.SERVING)) {
                done.complete(null); // decided for a state that is gone: the next tick decides again
                return;
            }
            instances.scale(count);
            watches.add(s -> s.desired().mode() != Mode.SERVING ? "the service stopped serving (" + s.desired().mode() + ")"
                    : s.ready() ? StatusWatches.MET : null, done, status);
        });
        return done;
    }

    /** Converges to {@code next} as a new change (a restored service shown as it was, a rollback). */
    public long converge(DesiredState next, LogSink progress) {
        return change(now -> next, progress);
    }

    /** Pauses (503, instances stop), shows a message instead (503), or deletes (404, instances stop). */
    public long stopServing(Mode mode, String message, LogSink progress) {
        return change(now -> now.showing(mode, message), progress);
    }

    /** A numbered change, the next desired state worked out on the loop from the one there is. */
    private long change(java.util.function.UnaryOperator<DesiredState> next, LogSink progress) {
        long n = changes.incrementAndGet();
        post(() -> apply(n, next.apply(instances.desired()), progress));
        return n;
    }

    private void apply(long n, DesiredState next, LogSink progress) {
        change = n;
        instances.change(next, progress);
    }

    private void publishStatus() {
        status = instances.observe(change);
        watches.publish(status);
    }

    /**
     * Completes once change {@code change} reached {@code milestone} (OLD_REVISION_DRAINED: every condition holds);
     * fails with the reason if its rollout failed, or if another change came first.
     */
    public CompletableFuture<Void> await(long change, ReconcilerStatus.Milestone milestone) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(done, () -> watches.add(s -> {
            if (s.change() != change) {
                return s.change() < change ? null : "superseded by a newer change of the service";
            }
            if (s.revisionReady().state() == ReconcilerStatus.Condition.State.FALSE) {
                return s.revisionReady().reason().orElse("the new revision did not become ready");
            }
            boolean met = milestone == ReconcilerStatus.Milestone.OLD_REVISION_DRAINED ? s.ready() : s.condition(milestone).isTrue();
            return met ? StatusWatches.MET : null;
        }, done, status));
        return done;
    }

    /** What the reconciler observed at the end of its last pass (published whole; reading it never waits). */
    public ReconcilerStatus status() {
        return status;
    }

    /**
     * Takes over instances a previous run of the control plane left: kept (and health-checked again) when the backend
     * can keep them and they run {@code revision}; stopped otherwise. Call before {@link #deploy}.
     */
    public void adopt(List<AdoptedInstance> adopted, Optional<PreparedRevision> revision, boolean keepable,
                      java.util.Set<String> answering, HealthCheckConfiguration healthCheck, int maxConcurrency) {
        long generation = generations.incrementAndGet();
        post(() -> instances.adopt(adopted, revision, keepable, answering, generation, healthCheck, maxConcurrency));
        // the adopted generation becomes the one deploy() continues
        generations.set(generation - 1);
    }

    /** Stops every instance at once, without draining (the caller drained the router), and the reconciler thread. */
    @Override
    public void close() {
        CompletableFuture<List<ObservedInstance>> left = new CompletableFuture<>();
        execute(left, () -> {
            watches.failAll(STOPPING);
            left.complete(instances.forgetAll());
        });
        List<ObservedInstance> all = left.exceptionally(e -> List.of()).join();
        loop.shutdownNow();
        instances.stopNow(all);
    }

    /** Hands work to the loop thread; after close() there is nothing left to do, so it is dropped. */
    private void post(Runnable work) {
        try {
            loop.execute(work);
        } catch (RejectedExecutionException closedAlready) { // its instances are stopped already
        }
    }

    /** Hands work to the loop thread; after close() {@code f} fails instead. */
    private void execute(CompletableFuture<?> f, Runnable work) {
        try {
            loop.execute(work);
        } catch (RejectedExecutionException closedAlready) {
            f.completeExceptionally(new BuildFailedException(STOPPING));
        }
    }
}


