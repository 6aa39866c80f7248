package dev.slipway.backend.k8s;

import dev.slipway.core.spi.InstanceEvent;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceListener;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One instance as a pod: where the router reaches it (known once the pod is scheduled), and the instance events its
 * pod's status changes stand for. Each event is reported once; the last one ({@link InstanceEvent.Exited} or
 * {@link InstanceEvent.OutOfMemory}) only after the pod's log was read to its end ({@link PodLogs}).
 */
final class PodInstance implements InstanceHandle {
    /** Waiting reasons a container does not recover from by itself: the instance failed. */
    private static final Set<String> FAILED_WAITING = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError");

    private final String instanceId;
    final String podName;
    final String image;
    final boolean hostNetwork;
    final int port;
    final int memoryMiB;
    /** Where output and events go; an adopted instance has none until core keeps it ({@link #attach}). */
    volatile InstanceListener listener;
    /** Whether output and events have somewhere to go: false for an adopted instance not kept (yet). */
    volatile boolean attached;
    private volatile String host = "";
    private final AtomicBoolean readyReported = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    final AtomicBoolean stopped = new AtomicBoolean();
    final AtomicBoolean logsStarted = new AtomicBoolean();
    /** The last event, decided once; delivered by the log reader after the log's end. */
    final CompletableFuture<InstanceEvent> last = new CompletableFuture<>();
    /** Completed once the last event was handed to the listener. */
    final CompletableFuture<Void> delivered = new CompletableFuture<>();
    /** Completed when the pod object is gone. */
    final CompletableFuture<Void> deleted = new CompletableFuture<>();

    PodInstance(String instanceId, String podName, String image, boolean hostNetwork, int port, int memoryMiB,
                InstanceListener listener) {
        this.instanceId = instanceId;
        this.podName = podName;
        this.image = image;
        this.hostNetwork = hostNetwork;
        this.port = port;
        this.memoryMiB = memoryMiB;
        this.listener = listener;
        this.attached = true;
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    /**
     * Takes in a new status of the pod. Returns true when its container runs or ran (its log can be read).
     */
    boolean observe(Pod pod) {
        PodStatus status = pod.getStatus();
        if (status == null) {
            return false;
        }
        String address = hostNetwork ? status.getHostIP() : status.getPodIP();
        if (address != null && !address.isEmpty()) {
            host = address;
        }
        ContainerStatus container = status.getContainerStatuses() == null ? null : status.getContainerStatuses().stream()
                .filter(c -> PodSpecs.CONTAINER.equals(c.getName())).findFirst().orElse(null);
        ContainerState state = container == null ? null : container.getState();
        if (state != null && state.getTerminated() != null) {
            end(terminated(state.getTerminated()));
            return true;
        }
        if (state != null && state.getWaiting() != null && FAILED_WAITING.contains(state.getWaiting().getReason())) {
            end(new InstanceEvent.Exited(instanceId, -1, waiting(state.getWaiting())));
            return false;
        }
        if ("Failed".equals(status.getPhase()) || "Succeeded".equals(status.getPhase())) {
            end(new InstanceEvent.Exited(instanceId, -1, "its pod " + status.getPhase().toLowerCase() + ": "
                    + (status.getReason() == null ? "" : status.getReason() + " ") + (status.getMessage() == null ? "" : status.getMessage())));
            return false;
        }
        boolean ready = status.getConditions() != null && status.getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        if (ready && !host.isEmpty() && !ended.get() && readyReported.compareAndSet(false, true)) {
            listener.onEvent(new InstanceEvent.Ready(instanceId));
        }
        return state != null && state.getRunning() != null;
    }

    /** From now on output and events go to {@code to}; a Ready reported before (to nobody) is reported again. */
    void attach(InstanceListener to) {
        listener = to;
        attached = true;
        if (readyReported.get() && !ended.get()) {
            to.onEvent(new InstanceEvent.Ready(instanceId));
        }
    }

    /** The pod object was deleted: whatever did not end yet ends now. */
    void onDeleted() {
        end(new InstanceEvent.Exited(instanceId, 137, stopped.get() ? "stopped" : "its pod was deleted"));
        deleted.complete(null);
    }

    boolean hasEnded() {
        return ended.get();
    }

    /** Hands the last event to the listener, once the instance ended; once. */
    void deliverLast() {
        last.thenAccept(event -> {
            if (!delivered.isDone()) {
                listener.onEvent(event);
                delivered.complete(null);
            }
        });
    }

    private void end(InstanceEvent event) {
        if (ended.compareAndSet(false, true)) {
            last.complete(event);
        }
    }

    private InstanceEvent terminated(ContainerStateTerminated t) {
        int code = t.getExitCode() == null ? -1 : t.getExitCode();
        if ("OOMKilled".equals(t.getReason()) && !stopped.get()) {
            return new InstanceEvent.OutOfMemory(instanceId, memoryMiB);
        }
        String why = stopped.get() ? "stopped" : "exited with code " + code
                + (t.getMessage() != null && !t.getMessage().isBlank() ? " (" + t.getMessage().trim() + ")" : "");
        return new InstanceEvent.Exited(instanceId, code, why);
    }

    private String waiting(ContainerStateWaiting w) {
        String message = w.getMessage() == null ? "" : ": " + w.getMessage();
        return w.getReason().contains("Image") ? "cannot pull image " + image + " (" + w.getReason() + message + ")"
                : "cannot create its container (" + w.getReason() + message + ")";
    }
}
