package dev.slipway.backend.docker;

import dev.slipway.core.internal.Parallel;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.spi.AdoptedInstance;
import dev.slipway.core.spi.BackendCapabilities;
import dev.slipway.core.spi.BuildListener;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.InstanceEvent;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceListener;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.ListeningPorts;
import dev.slipway.core.spi.PortWatch;
import dev.slipway.core.spi.InstanceUsage;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.RevisionSpec;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs instances as containers on a Docker engine. A revision is an image ({@link DockerImages}: pulled for an image
 * service, built from the source for a code service). Each instance is one container ({@link InstanceContainers}:
 * labelled with the SPI's owner labels and the JVM that started it, run with {@code --init}, with InstanceConfiguration's
 * CPU and memory as hard limits, on a bridge network with the app's port published on 127.0.0.1, or on the host's
 * network with {@code PORT} set to a free port). Its output is streamed to the instance's log, and its end (with OOMKilled, and the engine's {@code oom} events, called by that name) is
 * reported as an instance event.
 *
 * <p>Containers outlive a crash of the control plane: a restarted one adopts its own (by the control plane id) and
 * {@link #attach}es to them again. Those of a control plane that is gone are removed by {@link #reapOrphans}, but for
 * those of a durable one (a state directory given by the user), labelled with its work directory, which are kept for
 * it as long as that directory exists.
 */
public final class DockerBackend implements ComputeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(DockerBackend.class);
    private static final BackendCapabilities CAPABILITIES = new BackendCapabilities(true, true, true, false, false, true, true);

    private final DockerClient docker;
    private final DockerImages images;
    private final Map<String, DockerInstance> instances = new ConcurrentHashMap<>();
    /** Watches whether containers on the host's network listen on their PORT. */
    private final java.util.concurrent.ScheduledExecutorService portWatch = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "slipway-docker-port-watch");
                t.setDaemon(true);
                return t;
            });
    private final ContainerOutputs outputs;
    /** What to do when the engine says a container's process was killed for memory, by container id. */
    private final Map<String, Runnable> onOutOfMemory = new ConcurrentHashMap<>();
    private final java.io.Closeable events;
    /** How an instance's container is made. */
    private final InstanceContainers containers;
    private volatile boolean closed;

    DockerBackend(DockerClient docker, Map<String, String> settings) {
        this(docker, settings, Optional.empty());
    }

    /** @param keepFor the work directory of a durable control plane, whose containers are kept after a crash */
    DockerBackend(DockerClient docker, Map<String, String> settings, Optional<java.nio.file.Path> keepFor) {
        this.docker = docker;
        Optional<java.nio.file.Path> kept = keepFor.map(java.nio.file.Path::toAbsolutePath);
        this.outputs = new ContainerOutputs(docker, kept);
        this.images = new DockerImages(docker, settings);
        String network = settings.getOrDefault("docker.network", DockerImages.hasDefaultBridge(docker) ? "bridge" : null);
        this.containers = new InstanceContainers(docker, network,
                new VpcNetworks(docker, Boolean.parseBoolean(settings.getOrDefault(VpcNetworks.CREATE_SETTING, "false"))),
                new EgressRules(docker, settings), kept);
        if (network == null) {
            LOG.info("the Docker engine has no bridge network: containers use the host's network, each app listening on "
                    + "the PORT it is given");
        } else {
            LOG.info("containers join network {}, their port published on 127.0.0.1", network);
        }
        // a process killed for memory inside a container that goes on (a shell running it) is only an engine event
        this.events = docker.eventsCmd().withEventFilter("oom").exec(new ResultCallback.Adapter<Event>() {
            @Override
            public void onNext(Event event) {
                onOutOfMemory.getOrDefault(event.getId(), () -> { }).run();
            }

            @Override
            public void onError(Throwable t) {
                // the stream ended: the backend is closing, or the engine went away (exits still come from waits)
            }
        });
    }

    /** A running container: the instance id, its container id, and where the router reaches it. */
    private record DockerInstance(String instanceId, String containerId, String host, int port, AtomicBoolean stopped,
                                  AtomicBoolean outOfMemory) implements InstanceHandle {
        DockerInstance(String instanceId, String containerId, int port) {
            this(instanceId, containerId, "127.0.0.1", port, new AtomicBoolean(), new AtomicBoolean());
        }
    }

    @Override
    public String name() {
        return "docker";
    }

    @Override
    public BackendCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public PreparedRevision prepare(RevisionSpec spec, BuildListener listener) throws BuildFailedException {
        return images.prepare(spec, listener);
    }

    @Override
    public InstanceHandle start(PreparedRevision revision, InstanceSpec spec, InstanceListener listener) {
        checkOpen();
        InstanceContainers.Created created = containers.create(revision, spec);
        String id = created.id();
        try {
            for (String other : created.otherNetworks()) {
                docker.connectToNetworkCmd().withContainerId(id).withNetworkId(other).exec();
            }
        } catch (DockerException e) {
            remove(id);
            throw new IllegalStateException("cannot join the VPC connector's networks: " + DockerImages.firstLine(e.getMessage()), e);
        }
        DockerInstance instance = new DockerInstance(spec.instanceId(), id, created.hostPort());
        instances.put(spec.instanceId(), instance);
        try {
            docker.startContainerCmd(id).exec();
            if (created.egressRules() != null) {
                EgressRules.apply(docker.inspectContainerCmd(id).exec().getState().getPidLong(), created.port(), created.egressRules());
                EgressRules.release(docker, id);
            }
        } catch (IllegalStateException e) {
            instances.remove(spec.instanceId());
            remove(id);
            throw e;
        } catch (DockerException e) {
            instances.remove(spec.instanceId());
            remove(id);
            throw new IllegalStateException("cannot start a container of " + revision.attributes().getOrDefault("image", revision.location())
                    + ": " + DockerImages.firstLine(e.getMessage()), e);
        }
        watch(instance, false, listener);
        if (created.hostNetwork()) { // on the host's network: an app on a fixed port is told within seconds, as on the local backend
            PortWatch.watch(portWatch, spec.instanceId(), created.port(), () -> ListeningPorts.ofCgroup(id),
                    () -> !closed && instances.get(spec.instanceId()) == instance, listener);
        }
        LOG.debug("started container {} for instance {} of {} (port {})", id, spec.instanceId(), spec.serviceName(),
                created.port());
        return instance;
    }

    private void awaitExit(DockerInstance instance, InstanceListener listener) {
        int code;
        boolean oomKilled;
        try {
            code = docker.waitContainerCmd(instance.containerId()).start().awaitStatusCode();
        } catch (RuntimeException e) {
            code = -1; // removed before its end could be waited for
        }
        try {
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(instance.containerId()).exec().getState();
            oomKilled = Boolean.TRUE.equals(state.getOOMKilled());
        } catch (RuntimeException e) {
            oomKilled = false; // removed meanwhile (a stop removes it as it ends): its exit code stands
        }
        onOutOfMemory.remove(instance.containerId());
        outputs.awaitEnd(instance.containerId());
        if (oomKilled) {
            reportOutOfMemory(instance, listener);
        }
        if (!instance.stopped().get() && instances.remove(instance.instanceId(), instance)) {
            remove(instance.containerId()); // it ended by itself: nothing is left of it (stop() removes the others)
        }
        if (instance.outOfMemory().get()) {
            return; // OutOfMemory was the instance's last event
        }
        listener.onEvent(new InstanceEvent.Exited(instance.instanceId(), code, instance.stopped().get() ? "stopped" : "exited with code " + code));
    }

    private void reportOutOfMemory(DockerInstance instance, InstanceListener listener) {
        if (!instance.stopped().get() && instance.outOfMemory().compareAndSet(false, true)) {
            listener.onEvent(new InstanceEvent.OutOfMemory(instance.instanceId(), memoryMiB(instance)));
        }
    }

    private int memoryMiB(DockerInstance instance) {
        try {
            Long bytes = docker.inspectContainerCmd(instance.containerId()).exec().getHostConfig().getMemory();
            return bytes == null ? 0 : (int) (bytes / (1024 * 1024));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** From the engine's stats: vCPUs in use between its two samples, memory in use (page cache not counted) and the limit. */
    @Override
    public Optional<InstanceUsage> usage(InstanceHandle handle) {
        DockerInstance instance = instances.get(handle.instanceId());
        if (instance == null) {
            return Optional.empty();
        }
        return ContainerUsage.of(docker, instance.containerId());
    }

    @Override
    public void stop(InstanceHandle handle, Duration grace) {
        DockerInstance instance = instances.remove(handle.instanceId());
        if (instance == null) {
            return;
        }
        instance.stopped().set(true);
        try {
            docker.stopContainerCmd(instance.containerId()).withTimeout((int) Math.max(1, grace.toSeconds())).exec();
        } catch (NotFoundException e) {
            return; // gone already
        } catch (DockerException e) {
            // not running any more: removed below
        }
        remove(instance.containerId());
    }

    private void remove(String containerId) {
        ContainerOwners.forget(containerId);
        outputs.forget(containerId);
        try {
            docker.removeContainerCmd(containerId).withForce(true).exec();
        } catch (NotFoundException e) {
            // gone already
        } catch (ConflictException e) {
            // "removal ... is already in progress": another control plane that watched it (the one before a restart) removes it
        }
    }

    /** The service's build cache goes with it. */
    @Override
    public void forgetService(String serviceId) {
        images.forgetService(serviceId);
    }

    @Override
    public void discard(PreparedRevision revision) {
        images.discard(revision);
    }

    @Override
    public List<AdoptedInstance> adopt(String controlPlaneId) {
        List<AdoptedInstance> adopted = new ArrayList<>();
        for (Container c : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(InstanceSpec.CONTROL_PLANE, controlPlaneId)).exec()) {
            InstanceSpec spec = InstanceSpec.fromLabels(c.getLabels());
            if (!"running".equals(c.getState())) {
                remove(c.getId());
                continue;
            }
            DockerInstance instance = new DockerInstance(spec.instanceId(), c.getId(), containers.hostPort(c.getId()));
            instances.put(spec.instanceId(), instance);
            adopted.add(new AdoptedInstance(instance, spec));
            if (!ContainerOwners.adopt(c.getId())) {
                LOG.warn("cannot record that this JVM adopted container {}: another Slipway may take it for an orphan", c.getId());
            }
        }
        return adopted;
    }

    /**
     * Takes an adopted container's output (on from the line after the last one taken, so what it wrote while no control
     * plane ran is not lost) and its exit, as {@link #start} does for the containers it starts.
     */
    @Override
    public void attach(InstanceHandle handle, InstanceListener listener) {
        DockerInstance instance = (DockerInstance) handle;
        watch(instance, true, listener);
    }

    /** Streams a container's output (on from the last line taken when {@code resume}) and waits for its end, reported to {@code listener}. */
    private void watch(DockerInstance instance, boolean resume, InstanceListener listener) {
        onOutOfMemory.put(instance.containerId(), () -> reportOutOfMemory(instance, listener));
        outputs.follow(instance.containerId(), resume, listener::output);
        Thread waiter = new Thread(() -> awaitExit(instance, listener), "slipway-container-" + instance.instanceId());
        waiter.setDaemon(true);
        waiter.start();
    }


    @Override
    public int reapOrphans() {
        int reaped = 0;
        for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(ContainerOwners.OWNER_PID)).exec()) {
            if (ContainerOwners.orphaned(c.getId(), c.getLabels())) {
                LOG.info("removing container {} left by a Slipway JVM ({}) that is gone", c.getId(), c.getLabels().get(ContainerOwners.OWNER_PID));
                remove(c.getId());
                reaped++;
            }
        }
        return reaped;
    }

    @Override
    public void close() {
        closed = true;
        portWatch.shutdownNow();
        try {
            events.close();
        } catch (IOException e) {
            // closing anyway
        }
        Parallel.forEach("slipway-docker-stop", List.copyOf(instances.values()), i -> stop(i, Duration.ofSeconds(5)));
        try {
            docker.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the docker backend is closed");
        }
    }
}
