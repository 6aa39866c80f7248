package dev.slipway.core.lifecycle;

import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.model.HealthCheckProtocol;
import dev.slipway.core.observe.LogSink;
import dev.slipway.core.observe.LogStreams;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.routing.RoutingTable;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.PreparedRevision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs for one service: the live revision, its instances, their health, and the service's route. Deployments
 * are blue/green ({@link #deploy}); a crashed or unhealthy instance is replaced by a reconciler thread
 * ({@code slipway-reconciler-<service>}).
 */
public final class ServiceRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceRuntime.class);

    /** Timing knobs shared by all services. */
    public record Timeouts(Duration startup, Duration drain, Duration stopGrace) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(90), Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    private final String serviceName;
    private final String host;
    private final ComputeBackend backend;
    private final RoutingTable routing;
    private final LogStreams logs;
    private final LogSink events;
    private final ScheduledExecutorService healthScheduler;
    private final ExecutorService reconciler;
    private final Timeouts timeouts;
    private final Supplier<HealthCheckConfiguration> healthCheck;

    private PreparedRevision current;
    private List<LiveInstance> live = List.of();
    private boolean active;

    public ServiceRuntime(String serviceName, String host, ComputeBackend backend, RoutingTable routing,
                          LogStreams logs, ScheduledExecutorService healthScheduler, Timeouts timeouts,
                          Supplier<HealthCheckConfiguration> healthCheck) {
        this.serviceName = serviceName;
        this.host = host;
        this.backend = backend;
        this.routing = routing;
        this.logs = logs;
        this.events = logs.sink(serviceName, "events");
        this.healthScheduler = healthScheduler;
        this.timeouts = timeouts;
        this.healthCheck = healthCheck;
        this.reconciler = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "slipway-reconciler-" + serviceName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Answers 503 with {@code message} until the service serves, e.g. while it is being created. */
    public void showUnavailable(String message) {
        routing.put(host, Optional.of(Route.unavailable(serviceName, message)));
    }

    /** Takes over a revision kept from an earlier run without starting instances, e.g. for a paused service. */
    public synchronized void adopt(PreparedRevision revision) {
        current = revision;
    }

    /** Shows the service as paused, answering 503, for a paused service restored after a restart. */
    public void showPaused() {
        routing.put(host, Optional.of(Route.paused(serviceName)));
    }

    /** The revision instances run from, if one was deployed. */
    public synchronized Optional<PreparedRevision> currentRevision() {
        return Optional.ofNullable(current);
    }

    /**
     * Blue/green: starts {@code count} instances of {@code revision} beside the old ones, waits until all are
     * healthy, switches traffic to them atomically, drains the old ones and stops them. If the new instances fail,
     * they are stopped and the old ones keep serving.
     */
    public void deploy(PreparedRevision revision, int count, Map<String, String> env, DeploymentLog log)
            throws BuildFailedException {
        log.step("Starting " + count + " instance" + (count > 1 ? "s" : "") + " of revision " + revision.revisionId());
        List<LiveInstance> fresh = startHealthy(revision, count, env, log);
        List<LiveInstance> old;
        PreparedRevision oldRevision;
        synchronized (this) {
            old = live;
            oldRevision = current;
            live = List.copyOf(fresh);
            current = revision;
            active = true;
            publish();
        }
        log.step("Traffic switched to revision " + revision.revisionId());
        fresh.forEach(this::monitor);
        retire(old, log::line);
        if (oldRevision != null && !oldRevision.revisionId().equals(revision.revisionId())) {
            backend.discard(oldRevision);
        }
    }

    /** Stops serving: 503 at once, then the in-flight requests drain and every instance stops. The revision is kept. */
    public void pause(DeploymentLog log) {
        List<LiveInstance> old;
        synchronized (this) {
            active = false;
            old = live;
            live = List.of();
            routing.put(host, Optional.of(Route.paused(serviceName)));
        }
        retire(old, log::line);
    }

    /** Removes the route and stops everything, discarding the revision. */
    public void delete(DeploymentLog log) {
        List<LiveInstance> old;
        PreparedRevision revision;
        synchronized (this) {
            active = false;
            old = live;
            live = List.of();
            revision = current;
            current = null;
            routing.put(host, Optional.empty());
        }
        retire(old, log::line);
        if (revision != null) {
            backend.discard(revision);
        }
    }

    /** Stops all instances without touching the revision (used by close()). */
    @Override
    public void close() {
        List<LiveInstance> old;
        synchronized (this) {
            active = false;
            old = live;
            live = List.of();
            routing.put(host, Optional.empty());
        }
        reconciler.shutdownNow();
        old.forEach(i -> {
            i.stopMonitoring();
            backend.stop(i.handle, timeouts.stopGrace());
        });
        routing.forget(old.stream().map(i -> i.handle.instanceId()).toList());
    }

    private List<LiveInstance> startHealthy(PreparedRevision revision, int count, Map<String, String> env,
                                            DeploymentLog log) throws BuildFailedException {
        List<LiveInstance> started = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                started.add(startOne(revision, env));
                log.line("Instance " + started.get(i).handle.instanceId() + " started on port " + started.get(i).handle.port());
            }
            HealthCheckConfiguration hc = healthCheck.get();
            log.line("Waiting for " + hc.protocol() + " health checks" + (hc.protocol() == HealthCheckProtocol.HTTP
                    ? " of " + hc.path() : "") + " to pass (healthy threshold " + hc.healthyThreshold() + ")");
            for (LiveInstance instance : started) {
                awaitHealthy(instance, hc);
            }
            log.line("Health checks are passing on all " + count + " new instance" + (count > 1 ? "s" : ""));
            return started;
        } catch (BuildFailedException | RuntimeException e) {
            started.forEach(i -> backend.stop(i.handle, timeouts.stopGrace()));
            throw e;
        }
    }

    private LiveInstance startOne(PreparedRevision revision, Map<String, String> env) {
        String instanceId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        LogSink instanceLog = logs.sink(serviceName, "instance/" + instanceId);
        InstanceHandle handle = backend.start(revision, new InstanceSpec(serviceName, instanceId, env), instanceLog);
        return new LiveInstance(handle, env);
    }

    private void awaitHealthy(LiveInstance instance, HealthCheckConfiguration hc) throws BuildFailedException {
        InstanceHandle h = instance.handle;
        long deadline = System.nanoTime() + timeouts.startup().toNanos();
        int passes = 0;
        while (passes < hc.healthyThreshold()) {
            if (!h.isAlive()) {
                String exit = h.exited().getNow("exited");
                throw new BuildFailedException("instance " + h.instanceId() + " " + exit
                        + " before it became healthy" + tail(h.instanceId()));
            }
            if (System.nanoTime() > deadline) {
                String rule = hc.protocol() == HealthCheckProtocol.HTTP
                        ? "GET " + hc.path() + " on port " + h.port() + " did not answer 2xx"
                        : "nothing accepted TCP connections on port " + h.port();
                throw new BuildFailedException("instance " + h.instanceId() + " did not become healthy within "
                        + timeouts.startup().toSeconds() + "s: " + rule + ". The application must listen on the port "
                        + "given in the PORT environment variable (" + h.port() + "), not a fixed one" + tail(h.instanceId()));
            }
            if (InstanceHealthChecker.check(h.host(), h.port(), hc)) {
                passes++;
            } else {
                passes = 0;
            }
            try {
                Thread.sleep(passes > 0 ? Math.min(1000L, hc.interval() * 1000L) : 100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BuildFailedException("interrupted while waiting for health checks");
            }
        }
    }

    private String tail(String instanceId) {
        List<String> lines = logs.read(serviceName, "instance/" + instanceId);
        if (lines.isEmpty()) {
            return ".";
        }
        return ". Last output:\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    }

    private void retire(List<LiveInstance> old, LogSink log) {
        if (old.isEmpty()) {
            return;
        }
        List<String> ids = old.stream().map(i -> i.handle.instanceId()).toList();
        old.forEach(LiveInstance::stopMonitoring);
        try {
            if (!routing.awaitIdle(ids, timeouts.drain())) {
                log.line("Requests still in flight after " + timeouts.drain().toSeconds() + "s of draining; stopping anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (LiveInstance i : old) {
            backend.stop(i.handle, timeouts.stopGrace());
        }
        routing.forget(ids);
        log.line("Stopped " + ids.size() + " instance" + (ids.size() > 1 ? "s" : "") + " of the previous set");
    }

    private void publish() {
        List<Endpoint> endpoints = live.stream().filter(i -> i.healthy)
                .map(i -> new Endpoint(i.handle.instanceId(), i.handle.host(), i.handle.port())).toList();
        routing.put(host, Optional.of(Route.serving(serviceName, endpoints)));
    }

    private void monitor(LiveInstance instance) {
        instance.handle.exited().thenAccept(exit -> reconciler.execute(() -> replace(instance, "exited (" + exit + ")")));
        HealthCheckConfiguration hc = healthCheck.get();
        instance.monitor = healthScheduler.scheduleWithFixedDelay(() -> {
            HealthCheckConfiguration now = healthCheck.get();
            boolean ok = InstanceHealthChecker.check(instance.handle.host(), instance.handle.port(), now);
            instance.failures = ok ? 0 : instance.failures + 1;
            if (instance.failures >= now.unhealthyThreshold()) {
                reconciler.execute(() -> replace(instance, "failed " + instance.failures + " health checks in a row"));
            }
        }, hc.interval(), hc.interval(), TimeUnit.SECONDS);
    }

    /** Replaces a live instance that crashed or turned unhealthy with a new one of the current revision. */
    private void replace(LiveInstance bad, String why) {
        PreparedRevision revision;
        synchronized (this) {
            if (!active || !live.contains(bad)) {
                return;
            }
            bad.healthy = false;
            List<LiveInstance> rest = new ArrayList<>(live);
            rest.remove(bad);
            live = List.copyOf(rest);
            publish();
            revision = current;
        }
        bad.stopMonitoring();
        events.line("Instance " + bad.handle.instanceId() + " " + why + "; replacing it");
        LOG.warn("service {}: instance {} {}; replacing it", serviceName, bad.handle.instanceId(), why);
        backend.stop(bad.handle, timeouts.stopGrace());
        routing.forget(List.of(bad.handle.instanceId()));
        for (int attempt = 1; attempt <= 3; attempt++) {
            LiveInstance fresh = null;
            try {
                fresh = startOne(revision, bad.env());
                awaitHealthy(fresh, healthCheck.get());
                synchronized (this) {
                    if (!active || current != revision) {
                        backend.stop(fresh.handle, timeouts.stopGrace());
                        return;
                    }
                    List<LiveInstance> next = new ArrayList<>(live);
                    next.add(fresh);
                    live = List.copyOf(next);
                    publish();
                }
                monitor(fresh);
                events.line("Instance " + fresh.handle.instanceId() + " replaced " + bad.handle.instanceId());
                return;
            } catch (BuildFailedException | RuntimeException e) {
                if (fresh != null) {
                    backend.stop(fresh.handle, timeouts.stopGrace());
                }
                events.line("Replacement attempt " + attempt + " failed: " + e.getMessage());
            }
        }
    }

    /** An instance and what the runtime knows of it. */
    private final class LiveInstance {
        final InstanceHandle handle;
        final Map<String, String> env;
        volatile boolean healthy = true;
        volatile int failures;
        volatile ScheduledFuture<?> monitor;

        LiveInstance(InstanceHandle handle, Map<String, String> env) {
            this.handle = handle;
            this.env = Map.copyOf(env);
        }

        Map<String, String> env() {
            return env;
        }

        void stopMonitoring() {
            ScheduledFuture<?> m = monitor;
            if (m != null) {
                m.cancel(false);
            }
        }
    }
}
