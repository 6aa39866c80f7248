package dev.slipway.backend.k8s;

import dev.slipway.backend.docker.Docker;
import dev.slipway.core.spi.BackendContext;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.ComputeBackendContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Kubernetes backend passes the shared backend contract: pods on the test cluster (fabric8's mock API server in
 * CRUD mode, and {@link TestKubelet} running each pod as a real container), source builds pushed to a real registry
 * that wants a login (pods pull with the image pull Secret made of it), pods on the host network with ports the
 * backend assigns.
 */
class KubernetesBackendContractTest extends ComputeBackendContract {
    private static TestCluster cluster;
    private static Docker.Registry registry;
    private static Path credentials;

    @BeforeAll
    static void cluster(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Docker.requireEngineAndBusybox();
        Docker.requireDebianPython();
        String password = "pw-" + java.util.UUID.randomUUID();
        registry = Docker.startRegistry(dir.resolve("registry"), "pusher", password);
        credentials = java.nio.file.Files.writeString(dir.resolve("registry.json"),
                "{\"username\": \"pusher\", \"password\": \"" + password + "\"}");
        cluster = TestCluster.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
        registry.close();
    }

    @Override
    protected ComputeBackend createBackend(Path workDir) {
        return new KubernetesBackendProvider().create(new BackendContext(workDir, Map.of(
                "kubernetes.api-server", cluster.apiServer(), "kubernetes.namespace", "contract",
                "kubernetes.registry", registry.address() + "/slipway", "kubernetes.registry-credentials", credentials.toString(),
                "kubernetes.host-network", "true",
                "docker.base-image.python3", Docker.DEBIAN_PYTHON)));
    }

    @Override
    protected String bindAddress() {
        return "127.0.0.1";
    }
}
