package dev.slipway.core.spi;

import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.model.HealthCheckConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where instances run: an instance is a process (local), a container (Docker) or a pod (Kubernetes). The SPI is small
 * on purpose: revisions, instance counts, traffic switching and (unless {@link BackendCapabilities#platformHealthChecks()})
 * health checks stay in core and the router, so every backend behaves alike and passes one contract suite.
 *
 * <p>Every method may be called from any thread. Nothing a backend creates outlives {@link #close()}, except what
 * {@link #adopt} is meant to find: a backend whose control plane was killed leaves its instances for the next run
 * (or for {@link #reapOrphans()}).
 */
public interface ComputeBackend extends AutoCloseable {
    /** The name this backend is chosen by, e.g. {@code local}. */
    String name();

    /** What this backend does itself, so core knows what it must do. */
    BackendCapabilities capabilities();

    /**
     * Builds (from source) or pulls (an image) a revision. Blocks until it is ready; cancelled by interrupting the
     * calling thread, which stops every build command at once and throws {@link BuildCancelledException}.
     *
     * @param listener receives the build's output lines and its progress, step by step
     */
    PreparedRevision prepare(RevisionSpec spec, BuildListener listener) throws BuildFailedException;

    /**
     * Starts one instance of a prepared revision, labelled with {@code spec}'s owner labels. Returns once it was
     * started (not when it is ready); its output and its events (ready, exited, out of memory) go to {@code listener}.
     */
    InstanceHandle start(PreparedRevision revision, InstanceSpec spec, InstanceListener listener);

    /**
     * Starts an instance as {@link #start(PreparedRevision, InstanceSpec, InstanceListener)} does, on a backend whose
     * platform checks health itself ({@link BackendCapabilities#platformHealthChecks()}): {@code healthCheck} (every
     * member set) becomes the platform's probes, and {@link InstanceEvent.Ready} says they passed. Other backends
     * ignore it: core probes their instances.
     */
    default InstanceHandle start(PreparedRevision revision, InstanceSpec spec, HealthCheckConfiguration healthCheck,
                                 InstanceListener listener) {
        return start(revision, spec, listener);
    }

    /**
     * Stops an instance: a graceful signal first, then a forced stop after {@code grace}. Returns once it is gone;
     * stopping an instance that already exited (or was stopped) does nothing.
     */
    void stop(InstanceHandle instance, Duration grace);

    /**
     * The CPU and memory an instance uses now, where the platform measures them (a container's stats, a pod's
     * metrics); empty where it does not, or when the instance is gone.
     */
    default Optional<InstanceUsage> usage(InstanceHandle instance) {
        return Optional.empty();
    }

    /** Forgets a revision no instance uses any longer, freeing what it holds (workspace, image). */
    void discard(PreparedRevision revision);

    /**
     * Forgets a deleted service, once its instances were stopped and its revision discarded: removes whatever the
     * backend keeps per service (e.g. the Kubernetes object that owns its pods and Secrets).
     */
    default void forgetService(String serviceId) {
    }

    /**
     * The instances a previous run of control plane {@code controlPlaneId} left running (it was killed, or closed
     * without stopping them). They are handed over to the caller, who keeps or {@link #stop}s each one.
     */
    List<AdoptedInstance> adopt(String controlPlaneId);

    /**
     * Takes over the output and events of an adopted instance that core keeps serving (only on backends that
     * {@link BackendCapabilities#keepsInstancesAcrossRestarts() keep instances across restarts}): from now on they go
     * to {@code listener}, as if {@link #start} had been given it; a Ready state it is already in is reported again.
     */
    default void attach(InstanceHandle instance, InstanceListener listener) {
    }

    /** Stops what control planes that are no longer running left behind; returns how many instances and builds it stopped. */
    int reapOrphans();

    /** Stops every instance and build this backend started. */
    @Override
    void close();
}
