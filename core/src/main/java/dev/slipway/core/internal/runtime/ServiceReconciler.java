package dev.slipway.core.internal.runtime;

import dev.slipway.core.Timeouts;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.internal.runtime.DesiredState.Mode;
import dev.slipway.core.internal.runtime.ObservedInstance.State;
import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.observe.LogSink;
import dev.slipway.core.observe.LogStreams;
import dev.slipway.core.routing.*;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.spi.*;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one decider of a service's instances: converges them to its {@link DesiredState}, on its own loop
 * ({@code slipway-reconciler-<name>}; a {@link SerialLoop} on threads all services share, so an idle service holds no
 * thread). It starts and stops instances, health-checks them (unless the platform does), publishes the healthy ones as
 * the service's route, and replaces crashed or unhealthy ones with exponential backoff for as long as the service
 * exists. Everything else (operations, the autoscaler, a restart) only hands it a new desired state, or a new count,
 * and reads what it observed from its published {@link ReconcilerStatus}.
 *
 * <p>A new generation is a blue/green rollout: its instances start beside the serving ones; once {@code count} are
 * healthy, traffic switches to them atomically and the others drain (the routing table's exact lease protocol) and
 * stop. If an instance of a rollout exits or stays unhealthy, the rollout fails (RevisionReady false) and the serving
 * instances stay. Every mutable field is confined to the loop; public methods hand work to it and never wait on it.
 */
public final class ServiceReconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceReconciler.class);
    private static final String STOPPING = "Slipway is stopping";

    private final ServiceIdentity id;
    private final ComputeBackend backend;
    private final RoutingTable routing;
    private final LogStreams logs;
    private final LogSink events;
    private final SerialLoop loop;
    private final InstanceStopper stopper;
    private final HealthWatch health;
    private final StatusWatches watches;
    private final AtomicLong generations = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();
    private volatile ReconcilerStatus status;

    // confined to the loop thread
    private DesiredState desired = DesiredState.unavailable("");
    /** The desired state before the last deployment, for {@link #rollBack}. */
    private DesiredState previous;
    private long change;
    private LogSink progress = LogSink.DISCARD;
    private final List<ObservedInstance> instances = new ArrayList<>();
    private long servingGeneration = -1;
    private String rolloutFailure;
    private final Backoff backoff = new Backoff();
    private boolean retryScheduled;
    private boolean closed;

    public ServiceReconciler(ServiceIdentity id, ComputeBackend backend, RoutingTable routing, LogStreams logs,
                             HealthProbes probes, Timeouts timeouts, ReconcilerThreads threads) {
        this.id = id;
        this.backend = backend;
        this.routing = routing;
        this.logs = logs;
        this.events = logs.sink(id.serviceName(), "events");
        this.loop = new SerialLoop("slipway-reconciler-" + id.serviceName(), threads.work(), threads.timer());
        this.watches = new StatusWatches(threads.work());
        this.stopper = new InstanceStopper(id.serviceName(), backend, routing, timeouts);
        this.health = new HealthWatch(probes, loop, () -> desired.healthCheck(), timeouts, backend.capabilities().platformHealthChecks(),
                i -> !closed && instances.contains(i) && i.state != State.STOPPING, this::becameHealthy, this::replace,
                (i, why) -> onFailedBeforeHealthy(i, why + tail(i.id)));
        this.status = ReconcilerStatus.observe(change, desired, instances, servingGeneration, rolloutFailure);
    }

    /**
     * Serves {@code count} new instances of {@code revision} (a new generation: blue/green), checked with
     * {@code healthCheck}, each taking {@code maxConcurrency} requests at once. Returns the change to {@link #await}.
     */
    public long deploy(PreparedRevision revision, int count, String messageUntilServing, HealthCheckConfiguration healthCheck,
                       int maxConcurrency, LogSink progress) {
        long generation = generations.incrementAndGet();
        return change(() -> {
            previous = desired;
            desired = new DesiredState(Mode.SERVING, Optional.of(revision), count, generation, messageUntilServing,
                    healthCheck, maxConcurrency);
        }, progress);
    }

    /**
     * Gives back the desired state from before deployment {@code change} (its instances are kept), with the count the
     * service has now: a failed rollout changes nothing. Does nothing if another change came since.
     */
    public void rollBack(long change, LogSink progress) {
        post(() -> {
            if (this.change == change && previous != null) {
                DesiredState back = previous.mode() == Mode.SERVING ? previous.withCount(desired.count()) : previous;
                apply(changes.incrementAndGet(), () -> desired = back, progress);
            }
        });
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
            if (generation >= 0 && (desired.generation() != generation || desired.mode() != Mode.SERVING)) {
                done.complete(null); // decided for a state that is gone: the next tick decides again
                return;
            }
            desired = desired.withCount(count);
            reconcile();
            watches.add(s -> s.desired().mode() != Mode.SERVING ? "the service stopped serving (" + s.desired().mode() + ")"
                    : s.ready() ? StatusWatches.MET : null, done, status);
        });
        return done;
    }

    /** Converges to {@code next} as a new change (a restored service shown as it was, a rollback). */
    public long converge(DesiredState next, LogSink progress) {
        return change(() -> desired = next, progress);
    }

    /** Pauses (503, instances stop), shows a message instead (503), or deletes (404, instances stop). */
    public long stopServing(Mode mode, String message, LogSink progress) {
        return change(() -> desired = desired.showing(mode, message), progress);
    }

    private long change(Runnable change, LogSink progressSink) {
        long n = changes.incrementAndGet();
        post(() -> apply(n, change, progressSink));
        return n;
    }

    private void apply(long n, Runnable change, LogSink progressSink) {
        this.change = n;
        progress = progressSink;
        rolloutFailure = null;
        backoff.reset();
        change.run();
        if (desired.mode() != Mode.SERVING) {
            servingGeneration = -1;
        }
        reconcile();
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
                      HealthCheckConfiguration healthCheck, int maxConcurrency) {
        long generation = generations.incrementAndGet();
        loop.execute(() -> {
            int kept = 0;
            for (AdoptedInstance a : adopted) {
                boolean keep = keepable && revision.isPresent() && revision.get().revisionId().equals(a.spec().revisionId());
                ObservedInstance i = new ObservedInstance(a.spec().instanceId(), generation);
                i.handle = a.handle();
                i.adopted = true;
                instances.add(i);
                if (keep) {
                    kept++;
                    events.line("Instance " + i.id + " of revision " + a.spec().revisionId() + " is still running; keeping it");
                    backend.attach(a.handle(), listener(i));
                    health.watch(i);
                } else {
                    events.line("Instance " + i.id + " left by the previous run is stopped");
                    retire(List.of(i));
                }
            }
            if (kept > 0) { // serving again once healthy, before the restart's deploy(), which continues this generation
                desired = new DesiredState(Mode.SERVING, revision, kept, generation, "", healthCheck, maxConcurrency);
            }
            publishStatus();
        });
        // the adopted generation becomes the one deploy() continues
        generations.set(generation - 1);
    }

    /** Stops every instance at once, without draining (the caller drained the router), and the reconciler thread. */
    @Override
    public void close() {
        CompletableFuture<List<ObservedInstance>> left = new CompletableFuture<>();
        execute(left, () -> {
            closed = true;
            watches.failAll(STOPPING);
            List<ObservedInstance> copy = List.copyOf(instances);
            instances.clear();
            routing.put(id.host(), Optional.empty());
            left.complete(copy);
        });
        List<ObservedInstance> all = left.exceptionally(e -> List.of()).join();
        loop.shutdownNow();
        stopper.stopNow(all);
        stopper.close();
    }

    // ------------------------------------------------------------------ the loop

    private void reconcile() {
        if (closed) {
            return;
        }
        act();
        publishStatus();
    }

    private void publishStatus() {
        status = ReconcilerStatus.observe(change, desired, instances, servingGeneration, rolloutFailure);
        watches.publish(status);
    }

    private void act() {
        if (desired.mode() != Mode.SERVING) {
            publish(switch (desired.mode()) {
                case PAUSED -> Optional.of(Route.paused(id.serviceId(), id.serviceName()));
                case UNAVAILABLE -> Optional.of(Route.unavailable(id.serviceId(), id.serviceName(), desired.message()));
                default -> Optional.empty();
            });
            retire(live(i -> true));
            return;
        }
        List<ObservedInstance> current = live(i -> i.generation == desired.generation());
        boolean switchedIn = servingGeneration == desired.generation();
        if (!switchedIn) {
            for (int n = current.size(); n < desired.count() && rolloutFailure == null; n++) {
                start(true);
            }
            current = live(i -> i.generation == desired.generation());
            if (rolloutFailure == null && current.stream().filter(i -> i.state == State.HEALTHY).count() >= desired.count()) {
                servingGeneration = desired.generation();
                switchedIn = true;
            }
        }
        if (!switchedIn) {
            List<ObservedInstance> old = live(i -> i.generation == servingGeneration && i.state == State.HEALTHY);
            publish(Optional.of(servingGeneration >= 0 ? serving(old)
                    : Route.unavailable(id.serviceId(), id.serviceName(), desired.message())));
            return;
        }
        List<ObservedInstance> byHealth = new ArrayList<>(current);
        byHealth.sort((a, b) -> Boolean.compare(a.state == State.HEALTHY, b.state == State.HEALTHY));
        List<ObservedInstance> retiring = new ArrayList<>(byHealth.subList(0, Math.max(0, current.size() - desired.count())));
        retiring.addAll(live(i -> i.generation != desired.generation()));
        retiring.forEach(i -> i.state = State.STOPPING);
        List<ObservedInstance> healthy = live(i -> i.generation == desired.generation() && i.state == State.HEALTHY);
        publish(Optional.of(serving(healthy)));
        retire(retiring);
        replaceMissing();
    }

    /** Starts instances the current generation misses, as soon as the backoff allows. */
    private void replaceMissing() {
        int missing = desired.count() - live(i -> i.generation == desired.generation()).size();
        if (missing <= 0) {
            return;
        }
        long wait = backoff.waitNanos(System.nanoTime());
        if (wait > 0) {
            if (!retryScheduled) {
                retryScheduled = true;
                loop.schedule(() -> {
                    retryScheduled = false;
                    reconcile();
                }, wait, TimeUnit.NANOSECONDS);
            }
            return;
        }
        for (int n = 0; n < missing && backoff.waitNanos(System.nanoTime()) <= 0; n++) {
            start(false);
        }
    }

    private void start(boolean rollout) {
        PreparedRevision revision = desired.revision().orElseThrow();
        String instanceId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        ObservedInstance i = new ObservedInstance(instanceId, desired.generation());
        instances.add(i);
        try {
            i.handle = backend.start(revision, new InstanceSpec(id.controlPlaneId(), id.serviceArn(), id.serviceName(),
                    revision.revisionId(), instanceId), desired.healthCheck(), listener(i));
        } catch (RuntimeException e) {
            instances.remove(i);
            onFailedBeforeHealthy(i, "could not be started: " + e.getMessage());
            return;
        }
        (rollout ? progress : events).line("Instance " + instanceId + " started on port " + i.handle.port());
        health.watch(i);
    }

    /** Where an instance's output and events go: its log stream, and this reconciler's thread. */
    private InstanceListener listener(ObservedInstance i) {
        return ObservedInstance.listener(logs.sink(id.serviceName(), "instance/" + i.id), e -> post(() -> onInstanceEvent(i, e)));
    }

    private void becameHealthy(ObservedInstance i) {
        i.state = State.HEALTHY;
        backoff.reset();
        reconcile();
    }

    private void onInstanceEvent(ObservedInstance i, InstanceEvent event) {
        if (closed || !instances.contains(i)) {
            return;
        }
        if (event instanceof InstanceEvent.Ready && i.state == State.STARTING) {
            becameHealthy(i);
            return;
        }
        String why = event.problem();
        if (why == null || i.state == State.STOPPING || event instanceof InstanceEvent.ListeningElsewhere && i.state != State.STARTING) {
            return;
        }
        if (i.state == State.STARTING) {
            onFailedBeforeHealthy(i, why + " before it became healthy" + tail(i.id));
        } else {
            replace(i, why.startsWith("exited") ? "exited (" + why + ")" : why);
        }
    }

    /** A healthy instance crashed or turned unhealthy: out of the route, stopped, and (by reconcile) replaced. */
    private void replace(ObservedInstance i, String why) {
        events.line("Instance " + i.id + " " + why + "; replacing it");
        LOG.warn("service {}: instance {} {}; replacing it", id.serviceName(), i.id, why);
        i.state = State.STOPPING;
        reconcile();
        retire(List.of(i));
    }

    /** An instance failed before it was healthy: it fails a rollout, or (in steady state) backs off the next start. */
    private void onFailedBeforeHealthy(ObservedInstance i, String why) {
        String message = "instance " + i.id + " " + why;
        if (i.adopted) {
            events.line("Instance " + i.id + " left by the previous run " + why + "; starting a new one instead");
            retire(List.of(i));
            loop.execute(this::reconcile);
            return;
        }
        if (i.generation == desired.generation() && servingGeneration != desired.generation() && desired.mode() == Mode.SERVING) {
            rolloutFailure = message;
            retire(live(x -> x.generation == desired.generation()));
            loop.execute(this::reconcile);
            return;
        }
        long backoffMillis = backoff.failed(System.nanoTime()).toMillis();
        long healthy = live(x -> x.generation == desired.generation() && x.state == State.HEALTHY).size();
        String line = "Service " + id.serviceName() + " has " + healthy + " of " + desired.count()
                + " instances; trying again in " + backoffMillis / 1000.0 + "s, because replacement " + message;
        events.line(line);
        LOG.warn(line);
        i.state = State.STOPPING;
        if (instances.contains(i)) {
            retire(List.of(i));
        }
        loop.execute(this::reconcile);
    }

    /** Takes instances out of the route (the caller published already), drains them, stops them, forgets them. */
    private void retire(List<ObservedInstance> retiring) {
        List<ObservedInstance> fresh = retiring.stream().filter(i -> !i.retired).toList();
        if (fresh.isEmpty()) {
            return;
        }
        fresh.forEach(i -> {
            i.state = State.STOPPING;
            i.retired = true;
        });
        LogSink log = progress == LogSink.DISCARD ? events : progress;
        stopper.drainAndStop(fresh, log, () -> post(() -> {
            instances.removeAll(fresh);
            if (fresh.stream().anyMatch(i -> i.generation != desired.generation() || desired.mode() != Mode.SERVING)) {
                log.line("Stopped " + fresh.size() + " instance" + (fresh.size() > 1 ? "s" : "") + " of the previous set");
            }
            reconcile();
        }));
    }

    private void publish(Optional<Route> route) {
        routing.put(id.host(), route);
    }

    private Route serving(List<ObservedInstance> healthy) {
        return Route.serving(id.serviceId(), id.serviceName(), healthy.stream()
                .map(i -> new Endpoint(i.id, i.handle.host(), i.handle.port())).toList(), desired.maxConcurrency());
    }

    private List<ObservedInstance> live(java.util.function.Predicate<ObservedInstance> filter) {
        return instances.stream().filter(i -> i.state != State.STOPPING).filter(filter).toList();
    }

    /** The last lines an instance printed, for a failure message. */
    private String tail(String instanceId) {
        List<String> lines = logs.read(id.serviceName(), "instance/" + instanceId);
        if (lines.isEmpty()) {
            return ".";
        }
        return ". Last output:\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    }

    /** Hands work to the loop thread; after close() there is nothing left to do, so it is dropped. */
    private void post(Runnable work) {
        try {
            loop.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException closedAlready) { // its instances are stopped already
        }
    }

    /** Hands work to the loop thread; after close() {@code f} fails instead. */
    private void execute(CompletableFuture<?> f, Runnable work) {
        try {
            loop.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException closedAlready) {
            f.completeExceptionally(new BuildFailedException(STOPPING));
        }
    }
}
