package dev.slipway.backend.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.store.ControlPlaneState;
import dev.slipway.core.store.StateStore;
import dev.slipway.core.store.StateStoreContract;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state in Secrets passes the state store contract against the API server, writes only what changed, and refuses
 * to overwrite what another control plane wrote since it read it (resourceVersion).
 */
class KubernetesStateStoreTest extends StateStoreContract {
    private static TestCluster cluster;
    private static KubernetesClient client;
    private String namespace;

    @BeforeAll
    static void cluster() {
        cluster = TestCluster.start();
        client = cluster.client();
    }

    @AfterAll
    static void stop() {
        client.close();
        cluster.close();
    }

    @BeforeEach
    void namespace() {
        namespace = "state-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    protected StateStore openStore() {
        return new KubernetesStateStore(client, namespace, "slipway");
    }

    @Test
    void oneSecretForTheControlPlaneAndOnePerServiceHoldTheStateAndOnlyChangedOnesAreWritten() {
        StateStore store = openStore();
        store.save(state(List.of(service("svc", "id1"), service("other", "id2"))));
        assertThat(secrets()).extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("slipway-state", "slipway-state-svc-id1", "slipway-state-svc-id2");
        String untouched = version("slipway-state-svc-id2");

        store.save(state(List.of(service("svc", "id1").withStatus(dev.slipway.core.model.ServiceStatus.PAUSED), service("other", "id2"))));

        assertThat(version("slipway-state-svc-id2")).isEqualTo(untouched);
        assertThat(openStore().controlPlaneId()).contains("k8s-" + namespace + "-slipway");
    }

    @Test
    void aSaveOverAStateAnotherControlPlaneWroteSinceIsRefusedAndChangesNothing() {
        StateStore mine = openStore();
        mine.save(state(List.of(service("svc", "id1"))));
        mine.load();
        StateStore theirs = openStore();
        theirs.load();
        ControlPlaneState theirState = state(List.of(service("svc", "id1").withStatus(dev.slipway.core.model.ServiceStatus.PAUSED)));
        theirs.save(theirState);

        assertThatThrownBy(() -> mine.save(state(List.of(service("svc", "id1"), service("new", "id3")))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("changed by another control plane");

        assertThat(openStore().load()).contains(theirState);
    }

    private List<Secret> secrets() {
        return client.secrets().inNamespace(namespace).withLabel(KubernetesStateStore.STATE, "slipway").list().getItems();
    }

    private String version(String name) {
        return client.secrets().inNamespace(namespace).withName(name).get().getMetadata().getResourceVersion();
    }
}
