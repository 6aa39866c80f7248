package dev.slipway.backend.k8s;

import dev.slipway.core.source.Registries;
import dev.slipway.core.internal.Parallel;
import dev.slipway.backend.docker.DockerImageBuilder;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.spi.AdoptedInstance;
import dev.slipway.core.spi.BackendCapabilities;
import dev.slipway.core.spi.BuildListener;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.InstanceEvent;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceListener;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.InstanceUsage;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.RevisionSpec;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each instance as a pod on a Kubernetes cluster ({@link PodSpecs} says what the pods and their Secrets hold).
 * Core's reconciler still decides revisions and counts; the cluster runs the pods, probes them (the service's health
 * check becomes startup, readiness and liveness probes) and reports through the pods' status, which an informer
 * watches: Ready, exits with code and reason, OOMKilled, image pull failures. Image services run their image pinned
 * to the digest its tag has at deployment; source services are built with the Docker backend's image build and
 * pushed to the configured registry.
 */
public final class KubernetesBackend implements ComputeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesBackend.class);
    private static final String REGISTRY_SECRET = "slipway-registry";
    private static final InstanceListener NOBODY = new InstanceListener() {
        @Override
        public void output(String line) {
        }

        @Override
        public void onEvent(InstanceEvent event) {
        }
    };

    private final KubernetesClient client;
    private final String namespace;
    private final KubernetesSettings settings;
    private final DockerImageBuilder builder;
    private final Registries registries = new Registries();
    private final PodImages images;
    private final Map<String, PodInstance> instances = new ConcurrentHashMap<>();
    private final ServiceObjects objects;
    private final Set<Integer> assignedPorts = ConcurrentHashMap.newKeySet();
    private final ExecutorService readers = Executors.newCachedThreadPool(daemon("slipway-pod-log"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("slipway-pod-log-timer"));
    private final PodLogs logs;
    private final EgressPolicies egressPolicies;
    private final SharedIndexInformer<Pod> informer;
    private volatile boolean closed;

    KubernetesBackend(KubernetesClient client, Map<String, String> allSettings, DockerImageBuilder builder) {
        KubernetesSettings settings = KubernetesSettings.from(allSettings);
        this.client = client;
        this.settings = settings;
        this.builder = builder;
        this.namespace = settings.namespace().orElse(client.getNamespace() != null ? client.getNamespace() : "default");
        this.logs = new PodLogs(client, namespace, readers, timer);
        this.objects = new ServiceObjects(client, namespace, settings.services());
        this.egressPolicies = new EgressPolicies(allSettings);
        this.images = new PodImages(settings, allSettings, builder, registries, objects::apply);
        settings.registryLogin().ifPresent(login -> objects.apply(PodSpecs.pullSecret(REGISTRY_SECRET, settings.registryHost().orElseThrow(),
                login, Map.of(PodSpecs.MANAGED_BY, PodSpecs.SLIPWAY), Optional.empty())));
        this.informer = client.pods().inNamespace(namespace).withLabel(PodSpecs.MANAGED_BY, PodSpecs.SLIPWAY)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        observe(pod);
                    }

                    @Override
                    public void onUpdate(Pod before, Pod pod) {
                        observe(pod);
                    }

                    @Override
                    public void onDelete(Pod pod, boolean finalStateUnknown) {
                        PodInstance i = instances.get(label(pod, InstanceSpec.INSTANCE));
                        if (i != null && i.podName.equals(pod.getMetadata().getName())) {
                            i.onDeleted();
                            logs.finishWithoutLog(i);
                            assignedPorts.remove(i.port);
                        }
                    }
                }, 0);
        LOG.info("Kubernetes backend: namespace {}, pods reached at their {}, source builds {}", namespace,
                settings.hostNetwork() ? "node's address (host network)" : "pod IP",
                settings.registry().map(r -> "pushed to " + r).orElse("off (no --registry)"));
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(true, settings.registry().isPresent(), true, true, false, true, true);
    }

    @Override
    public PreparedRevision prepare(RevisionSpec spec, BuildListener listener) throws BuildFailedException {
        return images.prepare(spec, listener);
    }

    @Override
    public InstanceHandle start(PreparedRevision revision, InstanceSpec spec, InstanceListener listener) {
        return start(revision, spec, HealthCheckConfiguration.DEFAULT, listener);
    }

    @Override
    public InstanceHandle start(PreparedRevision revision, InstanceSpec spec, HealthCheckConfiguration health,
                                InstanceListener listener) {
        if (closed) {
            throw new IllegalStateException("the kubernetes backend is closed");
        }
        if ("true".equals(revision.attributes().get("built")) && !stillInRegistry(revision.location())) {
            throw new IllegalStateException("image " + revision.location() + " is no longer in the registry (its revision "
                    + "was discarded): deploy again to build it");
        }
        OwnerReference owner = objects.owner(revision.serviceId(), spec);
        List<String> pullSecrets = new ArrayList<>();
        if ("true".equals(revision.attributes().get("built")) && settings.registryLogin().isPresent()) {
            pullSecrets.add(REGISTRY_SECRET);
        }
        Optional.ofNullable(revision.attributes().get("pull-secret")).ifPresent(pullSecrets::add);
        if (!revision.run().secrets().isEmpty()) {
            objects.apply(PodSpecs.secrets(revision, owner));
        }
        if (revision.run().egress().attached()) { // before the pod, so that it never runs without its egress rules
            client.network().v1().networkPolicies().inNamespace(namespace)
                    .resource(egressPolicies.policy(revision, revision.run().egress(), owner)).createOr(NonDeletingOperation::update);
        }
        int port = settings.hostNetwork() ? assignPort() : revision.run().port();
        Pod pod = PodSpecs.pod(revision, spec, health, port, settings.hostNetwork(), settings.graceSeconds(), owner, pullSecrets);
        PodInstance instance = new PodInstance(spec.instanceId(), pod.getMetadata().getName(), revision.location(),
                settings.hostNetwork(), port, revision.run().resources().memoryMiB(), listener);
        instances.put(spec.instanceId(), instance);
        try {
            client.pods().inNamespace(namespace).resource(pod).create();
        } catch (KubernetesClientException e) {
            instances.remove(spec.instanceId());
            assignedPorts.remove(port);
            throw new IllegalStateException("cannot create pod " + pod.getMetadata().getName() + ": " + e.getMessage(), e);
        }
        LOG.debug("created pod {} for instance {} of {}", pod.getMetadata().getName(), spec.instanceId(), spec.serviceName());
        return instance;
    }

    private boolean stillInRegistry(String image) {
        try {
            return registries.exists(image, settings.registryLogin());
        } catch (IOException e) {
            return true; // the registry does not answer now: the pod's pull will say what is wrong
        }
    }

    private void observe(Pod pod) {
        PodInstance i = instances.get(label(pod, InstanceSpec.INSTANCE));
        if (i == null || !i.podName.equals(pod.getMetadata().getName())) {
            return;
        }
        if (!i.attached) {
            i.observe(pod); // adopted, not kept yet: where it is, nothing more
        } else if (i.observe(pod)) {
            logs.follow(i);
        } else if (i.hasEnded()) {
            logs.finishWithoutLog(i);
        }
    }

    /** An adopted pod core keeps: its log is followed (from its start) and its status reported from now on. */
    @Override
    public void attach(InstanceHandle handle, InstanceListener listener) {
        PodInstance i = instances.get(handle.instanceId());
        if (i == null) {
            return;
        }
        i.attach(listener);
        Pod now = informer.getStore().getByKey(namespace + "/" + i.podName);
        if (now != null) {
            observe(now);
        } else {
            i.onDeleted(); // gone meanwhile
            logs.finishWithoutLog(i);
        }
    }

    /** A port of the host-network range that no pod of this namespace has. */
    private int assignPort() {
        Set<Integer> used = new java.util.HashSet<>(assignedPorts);
        for (Pod p : informer.getStore().list()) {
            Optional.ofNullable(p.getMetadata().getAnnotations()).map(a -> a.get(PodSpecs.PORT)).ifPresent(v -> used.add(Integer.parseInt(v)));
        }
        int size = settings.lastHostPort() - settings.firstHostPort() + 1;
        int start = ThreadLocalRandom.current().nextInt(size);
        for (int n = 0; n < size; n++) {
            int port = settings.firstHostPort() + (start + n) % size;
            if (!used.contains(port) && assignedPorts.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("every port of kubernetes.host-ports " + settings.firstHostPort() + "-"
                + settings.lastHostPort() + " is taken by a pod: widen the range");
    }

    @Override
    public void stop(InstanceHandle handle, Duration grace) {
        PodInstance i = instances.get(handle.instanceId());
        if (i == null) {
            return;
        }
        i.stopped.set(true);
        long seconds = Math.max(1, (grace.toMillis() + 999) / 1000);
        try {
            if (client.pods().inNamespace(namespace).withName(i.podName).withGracePeriod(seconds).delete().isEmpty()) {
                i.onDeleted(); // gone already
                logs.finishWithoutLog(i);
            }
            if (!await(i.deleted, seconds + 30)) {
                LOG.warn("pod {} was not gone {} s after its deletion; deleting it at once", i.podName, seconds + 30);
                client.pods().inNamespace(namespace).withName(i.podName).withGracePeriod(0).delete();
            }
            await(i.delivered, 10); // its last output and its end reached the listener
        } finally {
            instances.remove(handle.instanceId(), i);
            assignedPorts.remove(i.port);
        }
    }

    private static boolean await(java.util.concurrent.CompletableFuture<Void> done, long seconds) {
        try {
            done.get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** From the cluster's metrics API (metrics-server): the pod's CPU and memory, against its memory limit. */
    @Override
    public Optional<InstanceUsage> usage(InstanceHandle handle) {
        PodInstance i = instances.get(handle.instanceId());
        if (i == null) {
            return Optional.empty();
        }
        try {
            PodMetrics metrics = client.top().pods().metrics(namespace, i.podName);
            return metrics.getContainers().stream().filter(c -> PodSpecs.CONTAINER.equals(c.getName())).findFirst()
                    .map(c -> new InstanceUsage(amount(c.getUsage().get("cpu")), (long) amount(c.getUsage().get("memory")),
                            i.memoryMiB * 1024L * 1024L));
        } catch (KubernetesClientException e) {
            return Optional.empty(); // no metrics API, or no sample yet
        }
    }

    private static double amount(Quantity q) {
        return q == null ? 0 : q.getNumericalAmount().doubleValue();
    }

    @Override
    public void discard(PreparedRevision revision) {
        objects.discard(revision);
        if ("true".equals(revision.attributes().get("built"))) {
            try {
                if (!registries.delete(revision.location(), settings.registryLogin())) {
                    LOG.info("the registry keeps {}: it does not allow deletes", revision.location());
                }
            } catch (IOException e) {
                LOG.info("cannot delete {} from the registry: {}", revision.location(), e.getMessage());
            }
        }
    }

    @Override
    public void forgetService(String serviceId) {
        objects.forget(serviceId);
        if (builder != null) {
            builder.forgetService(serviceId); // its build cache, on the engine that built its images
        }
    }

    @Override
    public List<AdoptedInstance> adopt(String controlPlaneId) {
        List<AdoptedInstance> adopted = new ArrayList<>();
        for (Pod pod : client.pods().inNamespace(namespace).withLabel(PodSpecs.MANAGED_BY, PodSpecs.SLIPWAY)
                .withLabel(InstanceSpec.CONTROL_PLANE, PodSpecs.dnsLabel(controlPlaneId, 63)).list().getItems()) {
            Map<String, String> annotations = pod.getMetadata().getAnnotations();
            InstanceSpec spec = InstanceSpec.fromLabels(annotations);
            if (!controlPlaneId.equals(spec.controlPlaneId()) || pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            int port = Integer.parseInt(annotations.getOrDefault(PodSpecs.PORT, "0"));
            PodInstance i = new PodInstance(spec.instanceId(), pod.getMetadata().getName(), pod.getSpec().getContainers().get(0).getImage(),
                    Boolean.TRUE.equals(pod.getSpec().getHostNetwork()), port, memoryMiB(pod), NOBODY);
            i.attached = false;
            i.observe(pod);
            if (settings.hostNetwork()) {
                assignedPorts.add(port);
            }
            instances.put(spec.instanceId(), i);
            adopted.add(new AdoptedInstance(i, spec));
        }
        return adopted;
    }

    private static int memoryMiB(Pod pod) {
        Quantity memory = pod.getSpec().getContainers().get(0).getResources().getLimits().get("memory");
        return memory == null ? 0 : (int) (memory.getNumericalAmount().longValue() / (1024 * 1024));
    }

    /**
     * Pods of other control planes are left alone: they share the namespace with this one and may well be running.
     * A control plane that is gone for good leaves its services' owner objects; deleting those removes the rest.
     */
    @Override
    public int reapOrphans() {
        return 0;
    }

    @Override
    public void close() {
        closed = true;
        Parallel.forEach("slipway-k8s-stop", List.copyOf(instances.values()), i -> stop(i, Duration.ofSeconds(5)));
        informer.close();
        readers.shutdownNow();
        timer.shutdownNow();
        builder.close();
        client.close();
    }

    private static String label(Pod pod, String key) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels == null ? "" : labels.getOrDefault(key, "");
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
