package dev.slipway.backend.k8s;

import dev.slipway.core.source.Registries;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.Statistics;
import dev.slipway.backend.docker.DockerBackendProvider;
import dev.slipway.backend.docker.FrameLines;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A kubelet for tests: it watches every pod of the (mock) API server and runs each one for real as a Docker container
 * on the host's network, with the pod's image (pulled as its imagePullPolicy says, with its image pull Secrets), its
 * command, its env (Secret references resolved) and its CPU and memory limits. It writes the pod's status back as a
 * kubelet does (Pending, Running with hostIP and podIP 127.0.0.1, Ready from the readiness probe it executes,
 * Terminated with exit code and reason, OOMKilled included; ErrImagePull with the registry's message), and on
 * deletion stops the container within the deletion's grace period before it lets the pod go (a finalizer of its own
 * stands for the kubelet's part in graceful deletion). A pod whose nodeName is set is bound to another node and left
 * alone (tests stand for the pods of Slipway's own replicas with such pods). Not simulated: scheduling (every unbound
 * pod runs here), liveness and
 * startup probes, restarts, garbage collection of owned objects.
 */
public final class TestKubelet implements AutoCloseable {
    static final String FINALIZER = "slipway.dev/test-kubelet";
    /** The label on every container this kubelet runs. */
    public static final String CONTAINER_LABEL = "slipway.dev/test-kubelet-pod";

    private final KubernetesClient client;
    private final DockerClient docker;
    private final Map<String, Long> deletionGrace;
    private final Map<String, RunningPod> pods = new ConcurrentHashMap<>();
    /** Deleted pods whose log is still answered for a minute: what a follow stream opened before would have delivered. */
    private final Map<String, RunningPod> gone = new ConcurrentHashMap<>();
    private final java.io.Closeable oomEvents;
    private final ScheduledExecutorService probes = Executors.newScheduledThreadPool(2, daemon("test-kubelet-probe"));
    private final ExecutorService work = Executors.newCachedThreadPool(daemon("test-kubelet"));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final SharedIndexInformer<Pod> informer;

    TestKubelet(KubernetesClient client, Map<String, Long> deletionGrace) {
        this.client = client;
        this.deletionGrace = deletionGrace;
        this.docker = DockerBackendProvider.connect(Map.of());
        // as a kubelet on cgroup v2 (memory.oom.group): a process killed for memory takes its whole container with it
        this.oomEvents = docker.eventsCmd().withEventFilter("oom").exec(new ResultCallback.Adapter<com.github.dockerjava.api.model.Event>() {
            @Override
            public void onNext(com.github.dockerjava.api.model.Event event) {
                pods.values().stream().filter(p -> event.getId().equals(p.containerId)).forEach(RunningPod::outOfMemory);
            }
        });
        this.informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                onUpdate(null, pod);
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
                if (pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
                    return; // bound to another node (no scheduler here binds pods to this one)
                }
                String key = key(pod);
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    RunningPod p = pods.get(key);
                    if (p != null) {
                        p.terminate();
                    }
                } else if (!pods.containsKey(key)) {
                    RunningPod p = new RunningPod(pod);
                    if (pods.putIfAbsent(key, p) == null) {
                        p.start();
                    }
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                String key = key(pod);
                RunningPod p = pods.remove(key);
                if (p != null) {
                    p.kill();
                    gone.put(key, p);
                    probes.schedule(() -> gone.remove(key, p), 60, TimeUnit.SECONDS);
                }
            }
        }, 0);
    }

    /** How many of its containers run now. */
    public int runningContainers() {
        return (int) pods.values().stream().filter(p -> p.containerId != null && !p.exited.isDone()).count();
    }

    /** A pod's log, as the API server's log endpoint gives it. */
    Optional<String> log(String namespace, String name, Map<String, String> params) {
        RunningPod p = pods.getOrDefault(namespace + "/" + name, gone.get(namespace + "/" + name));
        if (p == null) {
            return Optional.empty();
        }
        Instant since = params.containsKey("sinceTime") ? Instant.parse(params.get("sinceTime")) : Instant.EPOCH;
        boolean timestamps = "true".equals(params.get("timestamps"));
        StringBuilder body = new StringBuilder();
        for (String line : p.log) {
            int space = line.indexOf(' ');
            if (!Instant.parse(line.substring(0, space)).isBefore(since)) {
                body.append(timestamps ? line : line.substring(space + 1)).append('\n');
            }
        }
        return Optional.of(body.toString());
    }

    /** A pod's metrics, as metrics-server gives them through metrics.k8s.io. */
    Optional<String> metrics(String namespace, String name) {
        RunningPod p = pods.get(namespace + "/" + name);
        if (p == null || p.containerId == null) {
            return Optional.empty();
        }
        try {
            String[] sample = p.usage.get(10, TimeUnit.SECONDS);
            return Optional.of("{\"kind\":\"PodMetrics\",\"apiVersion\":\"metrics.k8s.io/v1beta1\",\"metadata\":{\"name\":\""
                    + name + "\",\"namespace\":\"" + namespace + "\"},\"timestamp\":\"" + Instant.now() + "\",\"window\":\"1s\","
                    + "\"containers\":[{\"name\":\"" + PodSpecs.CONTAINER + "\",\"usage\":{\"cpu\":\"" + sample[0]
                    + "\",\"memory\":\"" + sample[1] + "\"}}]}");
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        informer.close();
        try {
            oomEvents.close();
        } catch (IOException e) {
            // closing anyway
        }
        pods.values().forEach(RunningPod::kill);
        probes.shutdownNow();
        work.shutdownNow();
        client.close();
        try {
            docker.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    /** One pod and its container. */
    private final class RunningPod {
        private final String namespace;
        private final String name;
        private final Pod pod;
        private final Container spec;
        private final List<String> log = new CopyOnWriteArrayList<>();
        private final CompletableFuture<Void> exited = new CompletableFuture<>();
        private final CompletableFuture<Void> logEnded = new CompletableFuture<>();
        private volatile CompletableFuture<String[]> usage = new CompletableFuture<>();
        private volatile String containerId;
        private volatile boolean terminating;
        private volatile boolean ready;
        private volatile boolean oomKilled;
        private int successes;
        private int failures;

        RunningPod(Pod pod) {
            this.pod = pod;
            this.namespace = pod.getMetadata().getNamespace();
            this.name = pod.getMetadata().getName();
            this.spec = pod.getSpec().getContainers().get(0);
        }

        void start() {
            work.execute(() -> {
                try {
                    run();
                } catch (RuntimeException e) {
                    if (!terminating) {
                        waiting("CreateContainerError", e.getMessage());
                    }
                }
            });
        }

        private void run() {
            edit(p -> new PodBuilder(p).editMetadata().addToFinalizers(FINALIZER).endMetadata().build());
            status(s -> s.withPhase("Pending").withHostIP("127.0.0.1").withPodIP("127.0.0.1")
                    .withContainerStatuses(container(false).withNewState().withNewWaiting().withReason("ContainerCreating")
                            .endWaiting().endState().build()));
            String image = spec.getImage();
            if ("Always".equals(spec.getImagePullPolicy()) || !present(image)) {
                try {
                    pull(image);
                } catch (RuntimeException e) {
                    waiting("ErrImagePull", e.getMessage());
                    return;
                }
            }
            List<String> env = new ArrayList<>();
            for (EnvVar v : spec.getEnv()) {
                if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null) {
                    var ref = v.getValueFrom().getSecretKeyRef();
                    Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
                    if (secret == null || secret.getData() == null || !secret.getData().containsKey(ref.getKey())) {
                        waiting("CreateContainerConfigError", "secret \"" + ref.getName() + "\" or its key " + ref.getKey() + " not found");
                        return;
                    }
                    env.add(v.getName() + "=" + new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8));
                } else {
                    env.add(v.getName() + "=" + (v.getValue() == null ? "" : v.getValue()));
                }
            }
            Map<String, Quantity> limits = spec.getResources() == null || spec.getResources().getLimits() == null ? Map.of()
                    : spec.getResources().getLimits();
            HostConfig host = HostConfig.newHostConfig().withNetworkMode("host").withInit(true);
            Optional.ofNullable(limits.get("memory")).ifPresent(q -> host.withMemory(q.getNumericalAmount().longValue()));
            Optional.ofNullable(limits.get("cpu")).ifPresent(q -> host.withNanoCPUs(q.getNumericalAmount()
                    .multiply(java.math.BigDecimal.valueOf(1_000_000_000L)).longValue()));
            CreateContainerCmd create = docker.createContainerCmd(image).withName("k8s_" + name + "_" + pod.getMetadata().getUid())
                    .withLabels(Map.of(CONTAINER_LABEL, namespace + "." + name)).withEnv(env).withHostConfig(host);
            if (spec.getCommand() != null && !spec.getCommand().isEmpty()) {
                create.withEntrypoint(spec.getCommand()).withCmd(spec.getArgs() == null ? List.of() : spec.getArgs());
            } else if (spec.getArgs() != null && !spec.getArgs().isEmpty()) {
                create.withCmd(spec.getArgs());
            }
            String id = create.exec().getId();
            synchronized (this) {
                containerId = id;
                if (terminating) {
                    remove();
                    exited.complete(null);
                    return;
                }
            }
            docker.startContainerCmd(id).exec();
            String startedAt = Instant.now().toString();
            followLog(id);
            sampleUsage(id);
            status(s -> s.withPhase("Running").withConditions(condition("Ready", false))
                    .withContainerStatuses(container(false).withNewState().withNewRunning().withStartedAt(startedAt)
                            .endRunning().endState().build()));
            Probe probe = spec.getReadinessProbe();
            if (probe != null) {
                probes.schedule(() -> probe(id, probe), 0, TimeUnit.SECONDS);
            }
            awaitExit(id, startedAt);
        }

        private void awaitExit(String id, String startedAt) {
            int code;
            boolean oom;
            try {
                code = docker.waitContainerCmd(id).start().awaitStatusCode();
                oom = oomKilled || Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getOOMKilled());
            } catch (RuntimeException e) {
                code = 137;
                oom = false;
            }
            logEnded.completeOnTimeout(null, 10, TimeUnit.SECONDS).join(); // the log is complete before the status says so
            int exitCode = code;
            String reason = oom ? "OOMKilled" : code == 0 ? "Completed" : "Error";
            ready = false;
            try {
                status(s -> s.withPhase(exitCode == 0 ? "Succeeded" : "Failed").withConditions(condition("Ready", false))
                        .withContainerStatuses(container(false).withNewState().withNewTerminated().withExitCode(exitCode)
                                .withReason(reason).withStartedAt(startedAt).withFinishedAt(Instant.now().toString())
                                .endTerminated().endState().build()));
            } finally {
                exited.complete(null);
            }
        }

        private void probe(String id, Probe probe) {
            if (exited.isDone() || terminating) {
                return;
            }
            boolean ok = check(probe);
            successes = ok ? successes + 1 : 0;
            failures = ok ? 0 : failures + 1;
            int successThreshold = probe.getSuccessThreshold() == null ? 1 : probe.getSuccessThreshold();
            int failureThreshold = probe.getFailureThreshold() == null ? 3 : probe.getFailureThreshold();
            if (!ready && successes >= successThreshold || ready && failures >= failureThreshold) {
                ready = !ready;
                boolean now = ready;
                try {
                    status(s -> s.withConditions(condition("Ready", now)).withContainerStatuses(
                            new ContainerStatusBuilder(s.buildContainerStatuses().get(0)).withReady(now).build()));
                } catch (KubernetesClientException gone) {
                    return;
                }
            }
            // a starting container is probed every 200 ms, as kubelets do for initialDelay 0 (only faster)
            long period = ready ? (probe.getPeriodSeconds() == null ? 10_000 : probe.getPeriodSeconds() * 1000L) : 200;
            probes.schedule(() -> probe(id, probe), period, TimeUnit.MILLISECONDS);
        }

        private boolean check(Probe probe) {
            int timeoutMillis = (probe.getTimeoutSeconds() == null ? 1 : probe.getTimeoutSeconds()) * 1000;
            if (probe.getHttpGet() != null) {
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + probe.getHttpGet().getPort().getIntVal() + probe.getHttpGet().getPath()))
                            .timeout(Duration.ofMillis(timeoutMillis)).build(), HttpResponse.BodyHandlers.discarding());
                    return r.statusCode() >= 200 && r.statusCode() < 400;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", probe.getTcpSocket().getPort().getIntVal()), timeoutMillis);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        /** The pod is being deleted: stop the container within the grace period, then let the pod go. */
        void terminate() {
            synchronized (this) {
                if (terminating) {
                    return;
                }
                terminating = true;
            }
            work.execute(() -> {
                String id = containerId;
                if (id != null) {
                    long grace = deletionGrace.getOrDefault(namespace + "/" + name,
                            Optional.ofNullable(pod.getSpec().getTerminationGracePeriodSeconds()).orElse(30L));
                    try {
                        docker.stopContainerCmd(id).withTimeout((int) grace).exec();
                    } catch (DockerException e) {
                        // exited already
                    }
                    exited.completeOnTimeout(null, 30, TimeUnit.SECONDS).join();
                    remove();
                }
                try {
                    edit(p -> new PodBuilder(p).editMetadata().removeFromFinalizers(FINALIZER).endMetadata().build());
                } catch (KubernetesClientException e) {
                    // gone already
                }
            });
        }

        void outOfMemory() {
            oomKilled = true;
            try {
                docker.killContainerCmd(containerId).exec();
            } catch (DockerException e) {
                // exited already
            }
        }

        /** The pod object is gone: the container goes at once. */
        void kill() {
            terminating = true;
            remove();
        }

        private synchronized void remove() {
            if (containerId != null) {
                try {
                    docker.removeContainerCmd(containerId).withForce(true).exec();
                } catch (NotFoundException e) {
                    // gone already
                }
            }
        }

        private boolean present(String image) {
            try {
                docker.inspectImageCmd(image).exec();
                return true;
            } catch (NotFoundException e) {
                return false;
            }
        }

        private void pull(String image) {
            var pull = docker.pullImageCmd(image);
            loginFor(image).ifPresent(pull::withAuthConfig);
            try {
                pull.exec(new ResultCallback.Adapter<PullResponseItem>()).awaitCompletion();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }

        /** The login of the pod's image pull Secrets for the image's registry. */
        private Optional<AuthConfig> loginFor(String image) {
            String registry = Registries.Ref.parse(image).registry();
            for (var ref : pod.getSpec().getImagePullSecrets()) {
                Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
                if (secret == null || secret.getData() == null || !secret.getData().containsKey(".dockerconfigjson")) {
                    continue;
                }
                try {
                    var auths = new ObjectMapper().readTree(Base64.getDecoder().decode(secret.getData().get(".dockerconfigjson"))).path("auths");
                    if (auths.has(registry)) {
                        return Optional.of(new AuthConfig().withRegistryAddress(registry)
                                .withUsername(auths.path(registry).path("username").asText())
                                .withPassword(auths.path(registry).path("password").asText()));
                    }
                } catch (IOException e) {
                    // not a docker config: ignored, as kubelets do
                }
            }
            return Optional.empty();
        }

        private void followLog(String id) {
            docker.logContainerCmd(id).withFollowStream(true).withStdOut(true).withStdErr(true).withTimestamps(true)
                    .exec(new FrameLines(log::add) {
                        @Override
                        public void onComplete() {
                            super.onComplete();
                            logEnded.complete(null);
                        }

                        @Override
                        public void onError(Throwable t) {
                            super.onError(t);
                            logEnded.complete(null);
                        }
                    });
        }

        private void sampleUsage(String id) {
            docker.statsCmd(id).exec(new ResultCallback.Adapter<Statistics>() {
                @Override
                public void onNext(Statistics s) {
                    if (s.getCpuStats() == null || s.getPreCpuStats() == null || s.getMemoryStats() == null
                            || s.getCpuStats().getCpuUsage() == null || s.getPreCpuStats().getCpuUsage() == null) {
                        return;
                    }
                    long cpu = orZero(s.getCpuStats().getCpuUsage().getTotalUsage()) - orZero(s.getPreCpuStats().getCpuUsage().getTotalUsage());
                    long cache = s.getMemoryStats().getStats() == null ? 0 : orZero(s.getMemoryStats().getStats().getCache());
                    String[] sample = {Math.max(0, cpu) + "n", Long.toString(Math.max(0, orZero(s.getMemoryStats().getUsage()) - cache))};
                    if (!usage.complete(sample)) {
                        usage = CompletableFuture.completedFuture(sample);
                    }
                }
            });
        }

        private void waiting(String reason, String message) {
            try {
                status(s -> s.withPhase("Pending").withContainerStatuses(container(false).withNewState().withNewWaiting()
                        .withReason(reason).withMessage(message).endWaiting().endState().build()));
            } catch (KubernetesClientException gone) {
                // the pod was deleted meanwhile
            }
        }

        private ContainerStatusBuilder container(boolean isReady) {
            return new ContainerStatusBuilder().withName(spec.getName()).withImage(spec.getImage()).withReady(isReady)
                    .withRestartCount(0);
        }

        private PodCondition condition(String type, boolean status) {
            return new PodCondition(null, null, Instant.now().toString(), null, null, status ? "True" : "False", type);
        }

        private synchronized void status(UnaryOperator<PodStatusBuilder> change) {
            client.pods().inNamespace(namespace).withName(name).editStatus(p -> new PodBuilder(p).withStatus(
                    change.apply(new PodStatusBuilder(p.getStatus() == null ? new PodStatus() : p.getStatus())).build()).build());
        }

        private void edit(UnaryOperator<Pod> change) {
            client.pods().inNamespace(namespace).withName(name).edit(change);
        }
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
