package dev.slipway.server;

import dev.slipway.core.Slipway;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The kubernetes backend's options of {@code slipway server}, passed on as its {@code kubernetes.*} settings. */
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

    Slipway.Builder apply(Slipway.Builder builder) {
        set(builder, "namespace", namespace);
        set(builder, "api-server", apiServer);
        set(builder, "registry", registry);
        set(builder, "registry-credentials", registryCredentials == null ? null : registryCredentials.toAbsolutePath().toString());
        set(builder, "host-network", Boolean.toString(hostNetwork));
        set(builder, "host-ports", hostPorts);
        return builder;
    }

    private static void set(Slipway.Builder builder, String key, String value) {
        if (value != null) {
            builder.backendSetting("kubernetes." + key, value);
        }
    }
}
