package dev.slipway.backend.k8s;

import dev.slipway.backend.docker.DockerImageBuilder;
import dev.slipway.core.spi.BackendContext;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.ComputeBackendProvider;
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
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config(context)).build();
        try {
            client.getKubernetesVersion();
        } catch (KubernetesClientException e) {
            client.close();
            throw new IllegalStateException("No Kubernetes API server answers at " + client.getMasterUrl() + " (" + e.getMessage()
                    + "). Point KUBECONFIG at the cluster's kubeconfig, run Slipway in the cluster with a service account, "
                    + "or name the API server with --kubernetes-api URL.", e);
        }
        return new KubernetesBackend(client, context.settings(), new DockerImageBuilder(context.settings()));
    }

    private static Config config(BackendContext context) {
        Config auto = Config.autoConfigure(null);
        ConfigBuilder config = new ConfigBuilder(auto);
        context.setting(KubernetesSettings.PREFIX + "api-server").ifPresent(url -> config.withMasterUrl(url).withTrustCerts(true));
        context.setting(KubernetesSettings.PREFIX + "namespace").ifPresent(config::withNamespace);
        return config.build();
    }
}
