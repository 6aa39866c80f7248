package dev.slipway.backend.k8s;

import dev.slipway.backend.docker.DockerImageBuilder;
import dev.slipway.core.spi.BackendContext;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.ComputeBackendProvider;
import java.util.Map;
import java.util.Optional;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Provides the {@code kubernetes} backend: pods on the cluster the kubeconfig ({@code KUBECONFIG}, {@code ~/.kube/config})
 * or the in-cluster service account points at, or the API server the setting {@code kubernetes.api-server} names.
 */
public final class KubernetesBackendProvider implements ComputeBackendProvider {
    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public ComputeBackend create(BackendContext context) {
        KubernetesSettings.from(context.settings()); // settings are checked before anything connects
        return new KubernetesBackend(connect(context.settings()), context.settings(), new DockerImageBuilder(context.settings()));
    }

    /**
     * A client of the cluster the settings ({@code kubernetes.api-server}, {@code kubernetes.namespace}) or the
     * kubeconfig / in-cluster service account name, checked to answer; its namespace is the one to use.
     */
    public static KubernetesClient connect(Map<String, String> settings) {
        ConfigBuilder config = new ConfigBuilder(Config.autoConfigure(null));
        Optional.ofNullable(settings.get(KubernetesSettings.PREFIX + "api-server")).ifPresent(url -> config.withMasterUrl(url).withTrustCerts(true));
        Optional.ofNullable(settings.get(KubernetesSettings.PREFIX + "namespace")).ifPresent(config::withNamespace);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config.build()).build();
        try {
            client.getKubernetesVersion();
        } catch (KubernetesClientException e) {
            client.close();
            throw new IllegalStateException("No Kubernetes API server answers at " + client.getMasterUrl() + " (" + e.getMessage()
                    + "). Point KUBECONFIG at the cluster's kubeconfig, run Slipway in the cluster with a service account, "
                    + "or name the API server with --kubernetes-api URL.", e);
        }
        return client;
    }
}
