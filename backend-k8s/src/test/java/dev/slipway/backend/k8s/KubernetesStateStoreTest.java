package dev.slipway.backend.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.crypto.KeyRing;
import dev.slipway.core.store.SealedStateStore;
import dev.slipway.core.store.StateCommit;
import dev.slipway.core.store.StateKeysets;
import dev.slipway.core.store.StateStore;
import dev.slipway.core.store.StateStoreContract;
import dev.slipway.core.store.StoredState;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state in Secrets passes the state store contract against the API server, writes only the documents a commit
 * names, refuses to overwrite what another control plane wrote since it read it (resourceVersion), keeps a commit
 * whose documents could be written only halfway (what a restarted control plane reads is what memory holds), and
 * reads the Secrets of schema version 2 for the control plane to migrate.
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
    void aSecretPerDocumentAndOnlyTheDocumentsACommitNamesAreWritten() {
        StateStore store = openStore();
        store.commit(new StateCommit(3, Map.of("service/id1", "{\"a\":1}", "service/id2", "{\"b\":2}"), Set.of()));
        assertThat(secrets()).hasSize(3);
        String untouched = version(documentSecret("{\"b\":2}"));

        store.commit(new StateCommit(3, Map.of("service/id1", "{\"a\":10}"), Set.of()));

        assertThat(version(documentSecret("{\"b\":2}"))).isEqualTo(untouched);
        assertThat(openStore().controlPlaneId()).contains("k8s-" + namespace + "-slipway");
    }

    @Test
    void aCommitOverAStateAnotherControlPlaneWroteSinceIsRefusedAndChangesNothing() {
        StateStore mine = openStore();
        mine.commit(new StateCommit(3, Map.of("service/id1", "{\"v\":1}"), Set.of()));
        StateStore theirs = openStore();
        theirs.load();
        theirs.commit(new StateCommit(3, Map.of("service/id1", "{\"v\":2}"), Set.of()));

        assertThatThrownBy(() -> mine.commit(new StateCommit(3, Map.of("service/id3", "{\"v\":3}"), Set.of())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("changed by another control plane");

        assertThat(openStore().load()).contains(new StoredState(3, Map.of("service/id1", "{\"v\":2}")));
    }

    @Test
    void aCommitWhoseDocumentsAreRefusedHalfwayStandsAndIsFinishedByTheNext() {
        StateStore store = openStore();
        store.commit(new StateCommit(3, Map.of("service/a", "{\"v\":1}", "service/b", "{\"v\":1}"), Set.of()));
        String b = documentSecret("{\"v\":1}", "service/b");
        cluster.refuseWrites(b);
        try {
            store.commit(new StateCommit(3, Map.of("service/a", "{\"v\":2}", "service/b", "{\"v\":2}"), Set.of()));
            assertThat(data(b)).as("the API server refused this one").isEqualTo("{\"v\":1}");
            assertThat(openStore().load()).as("a restarted control plane reads what the committing one holds")
                    .contains(new StoredState(3, Map.of("service/a", "{\"v\":2}", "service/b", "{\"v\":2}")));

            assertThatThrownBy(() -> store.commit(new StateCommit(3, Map.of("service/c", "{\"v\":3}"), Set.of())))
                    .as("the next commit finishes the last first, or changes nothing").isInstanceOf(RuntimeException.class);
            assertThat(openStore().load().orElseThrow().documents()).doesNotContainKey("service/c");
        } finally {
            cluster.allowWrites(b);
        }
        store.commit(new StateCommit(3, Map.of("service/c", "{\"v\":3}"), Set.of()));
        assertThat(data(b)).isEqualTo("{\"v\":2}");
        assertThat(openStore().load()).contains(new StoredState(3, Map.of("service/a", "{\"v\":2}", "service/b", "{\"v\":2}",
                "service/c", "{\"v\":3}")));
    }

    @Test
    void theSecretsOfSchemaVersion2AreReadAsOneWholeStateAndGoWithTheMigration() {
        put("slipway-state", "{\"version\":2,\"serial\":7,\"connections\":[],\"autoScaling\":{\"revisions\":[],\"defaultName\":\"D\"},\"tags\":{}}");
        put("slipway-state-svc-id1", "{\"name\":\"svc\",\"id\":\"id1\"}");
        StateStore store = openStore();

        StoredState legacy = store.load().orElseThrow();
        assertThat(legacy.schemaVersion()).isEqualTo(2);
        assertThat(legacy.documents()).containsOnlyKeys("state");
        assertThat(legacy.documents().get("state")).contains("\"services\":[{\"name\":\"svc\",\"id\":\"id1\"}]").contains("\"defaultName\":\"D\"");

        store.commit(new StateCommit(3, Map.of("service/id1", "{\"name\":\"svc\"}"), Set.of("state")));
        assertThat(client.secrets().inNamespace(namespace).withName("slipway-state-svc-id1").get()).isNull();
        assertThat(openStore().load()).contains(new StoredState(3, Map.of("service/id1", "{\"name\":\"svc\"}")));
    }

    /**
     * With the state in the cluster, the key ring's keyset is a document of the state too: no Secret holds a secret value
     * in plain text, another replica given the same master key reads it (still after the leader rotated the key), and
     * one given another master key is told so.
     */
    @Test
    void aSealedStateKeepsItsKeysetInTheStateAndEveryReplicaWithTheSameMasterKeyReadsIt() {
        byte[] master = new byte[32];
        new java.security.SecureRandom().nextBytes(master);
        String marker = "marker-" + UUID.randomUUID();
        KeyRing leaderKeys = KeyRing.open(new StateKeysets(), master, "the test's master key");
        StateStore leader = new SealedStateStore(openStore(), leaderKeys);
        assertThat(leader.load()).isEmpty();
        leader.commit(new StateCommit(3, Map.of("service/a", "{\"runtimeEnvironmentSecrets\":{\"API_KEY\":\"" + marker + "\"}}"), Set.of()));

        assertThat(secrets()).noneMatch(s -> data(s.getMetadata().getName()).contains(marker))
                .anyMatch(s -> s.getMetadata().getAnnotations() != null
                        && s.getMetadata().getAnnotations().get("slipway.dev/document").startsWith(StateKeysets.PREFIX));
        StateStore follower = new SealedStateStore(openStore(), KeyRing.open(new StateKeysets(), master.clone(), "the same key"));
        assertThat(follower.load()).hasValueSatisfying(state -> {
            assertThat(state.documents()).containsOnlyKeys("service/a");
            assertThat(state.documents().get("service/a")).contains(marker);
        });

        leaderKeys.rotate(KeyRing.SLIPWAY);
        leader.commit(new StateCommit(3, Map.of("service/b", "{\"webhookSecret\":\"" + marker + "-b\"}"), Set.of()));
        assertThat(follower.load().orElseThrow().documents().get("service/b")).as("read with the rotated keyset").contains(marker + "-b");

        StateStore stranger = new SealedStateStore(openStore(), KeyRing.open(new StateKeysets(), new byte[32], "another key"));
        assertThatThrownBy(stranger::load).hasMessageContaining("not the master key this state was encrypted with");
    }

    private void put(String name, String json) {
        client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name)
                .addToLabels(KubernetesStateStore.STATE, "slipway").endMetadata()
                .addToData("state.json", Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))).build()).create();
    }

    private List<Secret> secrets() {
        return client.secrets().inNamespace(namespace).withLabel(KubernetesStateStore.STATE, "slipway").list().getItems();
    }

    /** The Secret of the document holding {@code json} (and, if given, of key {@code key}). */
    private String documentSecret(String json, String... key) {
        return secrets().stream().filter(s -> s.getMetadata().getAnnotations() != null
                        && (key.length == 0 || key[0].equals(s.getMetadata().getAnnotations().get("slipway.dev/document")))
                        && data(s.getMetadata().getName()).equals(json))
                .findFirst().orElseThrow().getMetadata().getName();
    }

    private String data(String name) {
        Secret s = client.secrets().inNamespace(namespace).withName(name).get();
        return new String(Base64.getDecoder().decode(s.getData().get("state.json")), StandardCharsets.UTF_8);
    }

    private String version(String name) {
        return client.secrets().inNamespace(namespace).withName(name).get().getMetadata().getResourceVersion();
    }
}
