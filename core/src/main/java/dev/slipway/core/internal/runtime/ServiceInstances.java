package dev.slipway.core.internal.runtime;

import dev.slipway.core.Timeouts;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.internal.runtime.DesiredState.Mode;
import dev.slipway.core.internal.runtime.ObservedInstance.State;
import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.observe.LogSink;
import dev.slipway.core.observe.LogStreams;
import dev.slipway.core.routing.Route;
import dev.slipway.core.spi.AdoptedInstance;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.InstanceEvent;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceListener;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.PreparedRevision;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instances of one service and what happens to them, on its reconciler's loop (every field is confined to it):
 * converged to the desired state the {@link ServiceReconciler} sets. They are started, health-checked (unless the
 * platform does), published as the service's route once healthy, replaced with exponential backoff when they crash or
 * turn unhealthy, and drained and stopped when retired. A new generation is a blue/green rollout: its instances start
 * beside the serving ones; once {@code count} are healthy, traffic switches to them atomically and the others drain
 * (the routing table's exact lease protocol) and stop. If an instance of a rollout exits or stays unhealthy, the
 * rollout fails and the serving instances stay. After every pass the reconciler publishes its status ({@code onPass}).
 */
final class ServiceInstances {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceReconciler.class);

    private final ServiceIdentity id;
    private final ComputeBackend backend;
    private final LogStreams logs;
    private final LogSink events;
    private final SerialLoop loop;
    private final InstanceStopper stopper;
    private final HealthWatch health;
    private final Runnable onPass;
    private final InstanceStarter starter;
    private final ServiceRoutes routes;

    private DesiredState desired = DesiredState.unavailable("");
    private LogSink progress = LogSink.DISCARD;
    private final List<ObservedInstance> instances = new ArrayList<>();
    private long servingGeneration = -1;
    private String rolloutFailure;
    private final Backoff backoff = new Backoff();
    private boolean retryScheduled;
    private boolean closed;
    /** Told of each healthy instance replaced: its id, and why. */
    private final java.util.function.BiConsumer<String, String> onReplaced;

    ServiceInstances(ServiceIdentity id, ComputeBackend backend, RoutingTable routing, LogStreams logs, HealthProbes probes,
                     Timeouts timeouts, SerialLoop loop, ExecutorService starts, Runnable onPass,
                     java.util.function.BiConsumer<String, String> onReplaced) {
        this.id = id;
        this.onReplaced = onReplaced;
        this.backend = backend;
        this.routes = new ServiceRoutes(id, routing);
        this.logs = logs;
        this.events = logs.sink(id.serviceName(), "events");
        this.loop = loop;
        this.onPass = onPass;
        this.starter = new InstanceStarter(id.serviceName(), backend, starts, timeouts.startup().plus(timeouts.stopGrace()));
        this.stopper = new InstanceStopper(id.serviceName(), backend, routing, timeouts);
        this.health = new HealthWatch(probes, loop, () -> desired.healthCheck(), timeouts, backend.capabilities().platformHealthChecks(),
                i -> !closed && instances.contains(i) && i.state != State.STOPPING, this::becameHealthy, this::replace,
                (i, why) -> onFailedBeforeHealthy(i, why + tail(i.id)));
    }

    DesiredState desired() {
        return desired;
    }

    /** The conditions of the desired state now, as of change {@code change}. */
    ReconcilerStatus observe(long change) {
        return ReconcilerStatus.observe(change, desired, instances, servingGeneration, rolloutFailure, splitting);
    }

    /** The last pass published a progressive deployment's split: both generations serve, each its share. */
    private boolean splitting;

    /** A new change: converges to {@code next} (a failed rollout and the backoff are forgotten), logging to {@code progress}. */
    void change(DesiredState next, LogSink progress) {
        this.progress = progress;
        rolloutFailure = null;
        backoff.reset();
        desired = next;
        if (next.mode() != Mode.SERVING) {
            servingGeneration = -1;
        }
        reconcile();
    }

    /** The same desired state with the new generation taking another share of the traffic (a progressive step). */
    void shift(DesiredState.Traffic traffic) {
        desired = desired.withTraffic(traffic);
        reconcile();
    }

    /** The same desired state with {@code count} instances. */
    void scale(int count) {
        desired = desired.withCount(count);
        reconcile();
    }

    /**
     * Takes over instances a previous run of the control plane left, as generation {@code generation}: kept (and
     * health-checked again) when {@code keepable} and they run {@code revision}; stopped otherwise. Those found
     * {@code answering} (accepting connections at the restart) serve on at once, healthy until their checks say not.
     */
    void adopt(List<AdoptedInstance> adopted, Optional<PreparedRevision> revision, boolean keepable, java.util.Set<String> answering,
               long generation, HealthCheckConfiguration healthCheck, int maxConcurrency) {
        int kept = 0;
        for (AdoptedInstance a : adopted) {
            boolean keep = keepable && revision.isPresent() && revision.get().revisionId().equals(a.spec().revisionId());
            ObservedInstance i = new ObservedInstance(a.spec().instanceId(), generation, revision.orElse(null));
            i.handle = a.handle();
            i.adopted = true;
            instances.add(i);
            if (keep) {
                kept++;
                events.line("Instance " + i.id + " of revision " + a.spec().revisionId() + " is still running; keeping it");
                if (answering.contains(i.id)) {
                    i.state = State.HEALTHY;
                }
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
        onPass.run();
    }

    /** Forgets every instance and removes the route; returns the instances, for {@link #stopNow}. */
    List<ObservedInstance> forgetAll() {
        closed = true;
        List<ObservedInstance> copy = List.copyOf(instances);
        instances.clear();
        routes.publish(Optional.empty(), List.of(), desired.maxConcurrency());
        return copy;
    }

    /**
     * Stops instances at once, without draining (after {@link #forgetAll}, off the loop), and those whose start was
     * still running once it ends: none outlives the reconciler.
     */
    void stopNow(List<ObservedInstance> all) {
        stopper.stopNow(all);
        starter.stopLeft();
        stopper.close();
    }

    /** One pass: the instances converge a step further to the desired state; then the reconciler publishes its status. */
    void reconcile() {
        if (closed) {
            return;
        }
        act();
        onPass.run();
    }

    private void act() {
        splitting = false;
        if (desired.mode() != Mode.SERVING) {
            publish(routes.notServing(desired));
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
            boolean ready = rolloutFailure == null && current.stream().filter(i -> i.state == State.HEALTHY).count() >= desired.count();
            List<ObservedInstance> old = live(i -> i.generation == servingGeneration && i.state == State.HEALTHY);
            if (ready && (desired.traffic().all() || old.isEmpty())) {
                servingGeneration = desired.generation();
                switchedIn = true;
            } else if (ready) { // a progressive deployment's step: both revisions serve, each its share
                splitting = true;
                List<ObservedInstance> fresh = live(i -> i.generation == desired.generation() && i.state == State.HEALTHY);
                List<ObservedInstance> both = new ArrayList<>(old);
                both.addAll(fresh);
                publish(Optional.of(serving(both).splitting(new Route.Split(desired.revision().orElseThrow().revisionId(),
                        fresh.stream().map(i -> i.id).collect(java.util.stream.Collectors.toSet()), desired.traffic().percent(),
                        desired.traffic().max5xxPercent()))));
                return;
            }
        }
        if (!switchedIn) {
            List<ObservedInstance> old = live(i -> i.generation == servingGeneration && i.state == State.HEALTHY);
            publish(Optional.of(servingGeneration >= 0 ? serving(old)
                    : routes.unavailable(desired.message())));
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

    /**
     * Starts an instance of the desired revision. The backend's start runs off the loop (it may block: an image
     * pulled, a pod scheduled); the instance counts as starting meanwhile, and the loop takes its handle once it is up.
     */
    private void start(boolean rollout) {
        PreparedRevision revision = desired.revision().orElseThrow();
        String instanceId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        ObservedInstance i = new ObservedInstance(instanceId, desired.generation(), revision);
        instances.add(i);
        InstanceSpec spec = new InstanceSpec(id.controlPlaneId(), id.serviceArn(), id.serviceName(), revision.revisionId(), instanceId);
        HealthCheckConfiguration healthCheck = desired.healthCheck();
        InstanceListener listener = listener(i);
        LogSink log = rollout ? progress : events;
        starter.start(i, revision, spec, healthCheck, listener, start -> post(() -> started(i, start, log)));
    }

    /** A retired instance whose start ended is gone. */
    private void forget(ObservedInstance i) {
        starter.taken(i);
        instances.remove(i);
        reconcile();
    }

    /** On the loop once an instance's start ended: it is watched, or (retired meanwhile) stopped, or it failed. */
    private void started(ObservedInstance i, CompletableFuture<InstanceHandle> start, LogSink log) {
        if (closed) {
            return; // stopNow() stops it (starter.stopLeft)
        }
        InstanceHandle handle = null;
        String failure = null;
        try {
            handle = start.join();
        } catch (java.util.concurrent.CompletionException e) {
            failure = e.getCause().getMessage();
        }
        if (i.retired) { // scaled in, or its rollout ended, while it started: it never serves
            if (handle != null) {
                stopper.stopLate(handle, () -> post(() -> forget(i)));
            } else {
                forget(i);
            }
            return;
        }
        starter.taken(i);
        if (failure != null) {
            instances.remove(i);
            onFailedBeforeHealthy(i, "could not be started: " + failure);
            return;
        }
        i.handle = handle;
        log.line("Instance " + i.id + " started on port " + handle.port());
        health.watch(i);
        List<InstanceEvent> early = List.copyOf(i.early);
        i.early.clear();
        early.forEach(e -> onInstanceEvent(i, e));
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
        if (i.handle == null) { // the backend's start has not returned yet: seen once it has
            i.early.add(event);
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
        if (ofRollout(i)) { // it took a share of a progressive deployment's traffic: the previous revision serves
            events.line("Instance " + i.id + " of the new revision " + why + "; the previous revision takes all the traffic again");
            failRollout("instance " + i.id + " of the new revision " + why + " while it took " + desired.traffic().percent()
                    + " % of the traffic");
            return;
        }
        events.line("Instance " + i.id + " " + why + "; replacing it");
        LOG.warn("service {}: instance {} {}; replacing it", id.serviceName(), i.id, why);
        onReplaced.accept(i.id, why);
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
        if (ofRollout(i)) {
            failRollout(message);
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

    /** Whether {@code i} is of a rollout that has not switched in yet. */
    private boolean ofRollout(ObservedInstance i) {
        return i.generation == desired.generation() && servingGeneration != desired.generation() && desired.mode() == Mode.SERVING;
    }

    /** The rollout fails for {@code failure}: its instances are retired, and the serving ones stay. */
    private void failRollout(String failure) {
        rolloutFailure = failure;
        retire(live(x -> x.generation == desired.generation()));
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
            instances.removeAll(fresh.stream().filter(i -> !starter.isStarting(i)).toList()); // those: once started, stopped
            String stopped = "Stopped " + fresh.size() + " instance" + (fresh.size() > 1 ? "s" : "");
            if (desired.mode() != Mode.SERVING) {
                log.line(stopped); // paused, deleted, or a creation that failed: no set replaced them
            } else if (fresh.stream().anyMatch(i -> i.generation != desired.generation())) {
                log.line(stopped + " of the previous set");
            }
            reconcile();
        }));
    }

    private void publish(Optional<Route> route) {
        routes.publish(route, route.isPresent() && desired.mode() == Mode.SERVING
                ? live(x -> x.revision != null && x.revision.tag().isPresent()) : List.of(), desired.maxConcurrency());
    }

    private Route serving(List<ObservedInstance> healthy) {
        return routes.serving(healthy, desired);
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
}
