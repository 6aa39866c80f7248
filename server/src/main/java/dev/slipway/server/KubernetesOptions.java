package dev.slipway.server;

import dev.slipway.backend.k8s.KubernetesBackendProvider;
import dev.slipway.backend.k8s.KubernetesLeadership;
import dev.slipway.backend.k8s.KubernetesRouteSharing;
import dev.slipway.backend.k8s.KubernetesStateStore;
import dev.slipway.backend.k8s.ReplicaRole;
import dev.slipway.core.DataPlane;
import dev.slipway.core.store.StateStore;
import dev.slipway.core.Slipway;
import dev.slipway.core.SlipwayBuilder;
import dev.slipway.core.Timeouts;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The kubernetes backend's options of {@code slipway server}, passed on as its {@code kubernetes.*} settings, and the
 * state store in the cluster with its leader election.
 */
final class KubernetesOptions {
    @Option(names = "--namespace", paramLabel = "NS", description = "With --backend kubernetes: the namespace pods, Secrets "
            + "and per-service objects go in (default: the kubeconfig's, or the pod's own when Slipway runs in the cluster).")
    String namespace;

    @Option(names = "--kubernetes-api", paramLabel = "URL", description = "With --backend kubernetes: the API server "
            + "(default: from KUBECONFIG or ~/.kube/config, or the in-cluster service account).")
    String apiServer;

    @Option(names = "--registry", paramLabel = "HOST[:PORT]/PREFIX", description = "With --backend kubernetes: where source "
            + "services' images are pushed and pods pull them from, e.g. registry.example.com/slipway. Without it, only "
            + "image services run on Kubernetes.")
    String registry;

    @Option(names = "--registry-credentials", paramLabel = "FILE", description = "With --registry: a JSON file "
            + "{\"username\": \"...\", \"password\": \"...\"} to push with; pods pull with it through an image pull Secret.")
    Path registryCredentials;

    @Option(names = "--host-network", description = "With --backend kubernetes: run pods on their node's network, each "
            + "listening on a port Slipway assigns from --host-ports, and reach them at the node's address (single-node "
            + "clusters, or a router outside the pod network). Default: reach each pod at its pod IP.")
    boolean hostNetwork;

    @Option(names = "--host-ports", paramLabel = "FIRST-LAST", description = "With --host-network: the ports pods are "
            + "given (default: ${DEFAULT-VALUE}).", defaultValue = "20000-29999")
    String hostPorts;

    @Option(names = "--kubernetes-services", description = "With --backend kubernetes: also a Kubernetes Service per "
            + "Slipway service (<name>-<first 8 characters of its id>, port 80, in front of its Ready pods), for clients in "
            + "the cluster that need not go through the router.")
    boolean kubeServices;

    @Option(names = "--state-store", paramLabel = "file|kubernetes", description = "Where the control plane keeps its state: "
            + "file (the SQLite database <state-dir>/state.db, one server per directory) or kubernetes (Secrets in --namespace, so the server "
            + "can run as a stateless Deployment; of several replicas, the one holding the Lease <state-name>-leader leads, "
            + "and every replica's router serves the leader's routes) (default: ${DEFAULT-VALUE}).", defaultValue = "file")
    String stateStore;

    @Option(names = "--state-name", paramLabel = "NAME", description = "With --state-store kubernetes: names this control "
            + "plane's state Secrets and Lease, so several can share a namespace (default: ${DEFAULT-VALUE}).", defaultValue = "slipway")
    String stateName;

    SlipwayBuilder apply(SlipwayBuilder builder) {
        settings().forEach(builder::backendSetting);
        return builder;
    }

    /** The kubernetes.* settings these options stand for. */
    Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        set(settings, "namespace", namespace);
        set(settings, "api-server", apiServer);
        set(settings, "registry", registry);
        set(settings, "registry-credentials", registryCredentials == null ? null : registryCredentials.toAbsolutePath().toString());
        set(settings, "host-network", Boolean.toString(hostNetwork));
        set(settings, "host-ports", hostPorts);
        set(settings, "services", Boolean.toString(kubeServices));
        return settings;
    }

    /** Whether the state is in the cluster: then a server that stops hands over to the next leader. */
    boolean stateInCluster() {
        return stateStore.equals("kubernetes");
    }

    /**
     * With {@code --state-store kubernetes}: starts the router at once ({@code dataPlane}, given the state store to read
     * the leader's certificates from) serving the leader's routes,
     * waits until this replica leads, then keeps the state in the cluster and hands the router to the Slipway that
     * {@code builder} builds. Returns what gives the lead up again (nothing to give up with the file store).
     */
    AutoCloseable useStateStore(SlipwayBuilder builder, java.util.function.Function<StateStore, DataPlane> dataPlane, PrintWriter out,
                                PrintWriter err)
            throws InterruptedException {
        if (stateStore.equals("file")) {
            return () -> { };
        }
        if (!stateStore.equals("kubernetes")) {
            throw new IllegalArgumentException("--state-store must be file or kubernetes, not " + stateStore);
        }
        KubernetesClient client = KubernetesBackendProvider.connect(settings());
        String ns = namespace != null ? namespace : client.getNamespace() != null ? client.getNamespace() : "default";
        String pod = System.getenv("POD_NAME");
        String identity = Optional.ofNullable(pod).orElseGet(() -> hostName() + "-" + ProcessHandle.current().pid());
        KubernetesRouteSharing sharing = new KubernetesRouteSharing(client, ns, stateName, identity, Timeouts.DEFAULT.drain());
        DataPlane plane;
        try {
            plane = dataPlane.apply(new KubernetesStateStore(client, ns, stateName)); // read by a follower, never written
        } catch (RuntimeException e) {
            sharing.close();
            client.close();
            throw e;
        }
        // stopped while waiting to lead: drain the router (after a takeover, the Slipway's own stop does it instead)
        Runtime.getRuntime().addShutdownHook(new Thread(plane::close, "slipway-follower-shutdown"));
        plane.follow(sharing);
        if (pod != null) {
            ReplicaRole.set(client, ns, pod, false);
        }
        out.println("Router on port " + plane.port() + " serving the leader's routes (ConfigMap " + stateName + "-routes)");
        out.println("Waiting to lead: Lease " + stateName + "-leader in namespace " + ns + " (as " + identity + ")");
        out.flush();
        KubernetesLeadership leadership = KubernetesLeadership.acquire(client, ns, stateName + "-leader", identity, () -> {
            err.println("slipway server: lost the Lease " + stateName + "-leader; stopping at once, the next leader carries on");
            err.flush();
            Runtime.getRuntime().halt(3);
        }, leader -> {
            out.println("Leader: " + leader);
            out.flush();
        });
        if (pod != null) {
            ReplicaRole.set(client, ns, pod, true);
        }
        builder.stateStore(new KubernetesStateStore(client, ns, stateName)).dataPlane(plane);
        out.println("Leading; the state is in Secrets labelled slipway.dev/state=" + stateName + " in namespace " + ns);
        return () -> {
            sharing.close();
            leadership.close();
            client.close();
        };
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "slipway";
        }
    }

    private static void set(Map<String, String> settings, String key, String value) {
        if (value != null) {
            settings.put("kubernetes." + key, value);
        }
    }
}
