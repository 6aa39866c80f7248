package dev.slipway.backend.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.core.store.StateCommit;
import dev.slipway.core.store.StateStore;
import dev.slipway.core.store.StoredState;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's state in the Kubernetes API, so that {@code slipway server} runs as a stateless Deployment: a
 * Secret per document ({@code <name>-doc-<hash of its key>}) and the control plane's Secret ({@code <name>-state}),
 * which holds the schema version, counts the commits and carries the last commit whole. Secrets, because the state
 * holds connection tokens and RuntimeEnvironmentSecrets (a cluster that encrypts Secrets at rest encrypts these too),
 * and because reading and writing them needs no custom resource definition and no cluster-wide right.
 *
 * <p>The API server has no transaction over several objects, so a commit is made atomic with a redo record: it is
 * first written into the control plane's Secret, with the resourceVersion this store read or wrote it with (the
 * commit point, and the fence: if another control plane wrote in between, the API server refuses with 409 Conflict,
 * and nothing changed). Then the documents' Secrets are written. If that fails halfway, the commit still stands: a
 * {@link #load()} applies the carried commit over the documents, and the next commit first finishes writing it. So
 * the state a restarted control plane reads is always what this one's memory holds.
 */
public final class KubernetesStateStore implements StateStore {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesStateStore.class);
    static final String STATE = "slipway.dev/state";
    private static final String KEY_ANNOTATION = "slipway.dev/document";
    private static final String DATA = "state.json";
    /** A commit larger than this is written document by document before the control Secret (a Secret holds 1 MiB). */
    private static final int MAX_CARRIED = 512 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private String controlVersion;
    private long serial;
    private int schemaVersion;
    /** Secrets of schema version 2 (before a Secret per document), deleted with the document that stood for them. */
    private final Set<String> legacySecrets = new java.util.HashSet<>();
    /** The last commit, if its documents' Secrets may not all be written yet. */
    private StateCommit unfinished;

    /**
     * @param name names this control plane's state (its Secrets are {@code <name>-state...}), so that several control
     *             planes can share a namespace
     */
    public KubernetesStateStore(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = PodSpecs.dnsLabel(name, 40);
    }

    /** Stable across restarts and machines: the instances this control plane labels are adopted by its next leader. */
    @Override
    public Optional<String> controlPlaneId() {
        return Optional.of(PodSpecs.dnsLabel("k8s-" + namespace + "-" + name, 63));
    }

    @Override
    public synchronized Optional<StoredState> load() {
        List<Secret> secrets = client.secrets().inNamespace(namespace).withLabel(STATE, name).list().getItems();
        Secret control = secrets.stream().filter(s -> s.getMetadata().getName().equals(controlName())).findFirst().orElse(null);
        legacySecrets.clear();
        unfinished = null;
        try {
            if (control == null) {
                if (!secrets.isEmpty()) {
                    throw new IllegalArgumentException("Secrets labelled " + STATE + "=" + name + " exist but " + controlName() + " does not");
                }
                controlVersion = null;
                serial = 0;
                schemaVersion = 0;
                return Optional.empty();
            }
            controlVersion = control.getMetadata().getResourceVersion();
            JsonNode head = JSON.readTree(data(control));
            serial = head.path("serial").asLong();
            if (!head.has("schemaVersion")) {
                return Optional.of(legacy(head, secrets));
            }
            schemaVersion = head.path("schemaVersion").asInt();
            Map<String, String> documents = new LinkedHashMap<>();
            for (Secret s : secrets) {
                String key = s.getMetadata().getAnnotations() == null ? null : s.getMetadata().getAnnotations().get(KEY_ANNOTATION);
                if (key != null) {
                    documents.put(key, data(s));
                }
            }
            if (head.path("carried").isObject()) { // written first: it stands even where the documents' Secrets lag
                StateCommit carried = commit(head.get("carried"));
                carried.deletes().forEach(documents::remove);
                documents.putAll(carried.puts());
                unfinished = carried;
            }
            return Optional.of(new StoredState(schemaVersion, documents));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot read Slipway's state from the Secrets labelled " + STATE + "=" + name
                    + " in namespace " + namespace + " (" + e.getMessage() + "); delete them to start empty, or restore "
                    + "them from a backup", e);
        }
    }

    @Override
    public synchronized void commit(StateCommit commit) {
        if (unfinished != null) {
            writeDocuments(unfinished); // a commit that stands, but whose Secrets lag: finished first, or nothing new
            unfinished = null;
        }
        ObjectNode head = JSON.createObjectNode().put("schemaVersion", commit.schemaVersion()).put("serial", serial + 1);
        boolean carried = size(commit) <= MAX_CARRIED;
        if (carried) {
            head.set("carried", tree(commit));
        } else { // a migration of many services: documents first, the fence last; deletes only after it
            writeDocuments(new StateCommit(commit.schemaVersion(), commit.puts(), Set.of()));
        }
        writeControl(head);
        serial++;
        schemaVersion = commit.schemaVersion();
        try {
            writeDocuments(carried ? commit : new StateCommit(commit.schemaVersion(), Map.of(), commit.deletes()));
        } catch (KubernetesClientException e) {
            unfinished = commit;
            LOG.warn("the commit stands (the control Secret {} carries it) but writing its documents failed ({}); the next "
                    + "commit finishes it", controlName(), e.getMessage());
        }
    }

    private void writeControl(ObjectNode head) {
        Secret secret = secret(controlName(), head.toString(), null, controlVersion);
        try {
            Secret written = controlVersion == null ? client.secrets().inNamespace(namespace).resource(secret).create()
                    : client.secrets().inNamespace(namespace).resource(secret).update();
            controlVersion = written.getMetadata().getResourceVersion();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new IllegalStateException("Secret " + controlName() + " in namespace " + namespace + " was changed by "
                        + "another control plane since this one read it (another replica leads now?): not overwriting it", e);
            }
            throw new IllegalStateException("cannot save Slipway's state in Secret " + controlName() + ": " + e.getMessage(), e);
        }
    }

    private void writeDocuments(StateCommit commit) {
        for (Map.Entry<String, String> e : commit.puts().entrySet()) {
            client.secrets().inNamespace(namespace).resource(secret(documentName(e.getKey()), e.getValue(), e.getKey(), null))
                    .createOr(NonDeletingOperation::update);
        }
        for (String key : commit.deletes()) {
            if (key.equals(LEGACY_KEY)) {
                legacySecrets.forEach(n -> client.secrets().inNamespace(namespace).withName(n).delete());
                legacySecrets.clear();
            }
            client.secrets().inNamespace(namespace).withName(documentName(key)).delete();
        }
    }

    /** Schema version 2: the control Secret held connections, configurations and tags, a Secret per service its record. */
    private static final String LEGACY_KEY = "state";

    private StoredState legacy(JsonNode control, List<Secret> secrets) throws JsonProcessingException {
        ObjectNode whole = JSON.createObjectNode().put("version", control.path("version").asInt());
        ArrayNode services = whole.putArray("services");
        for (Secret s : secrets) {
            if (!s.getMetadata().getName().equals(controlName())) {
                services.add(JSON.readTree(data(s)));
                legacySecrets.add(s.getMetadata().getName());
            }
        }
        whole.set("connections", control.path("connections"));
        whole.set("autoScaling", control.path("autoScaling"));
        whole.set("tags", control.path("tags"));
        schemaVersion = control.path("version").asInt();
        return new StoredState(schemaVersion, Map.of(LEGACY_KEY, whole.toString()));
    }

    private Secret secret(String object, String json, String documentKey, String resourceVersion) {
        var metadata = new SecretBuilder().withNewMetadata().withName(object).withNamespace(namespace)
                .addToLabels(PodSpecs.MANAGED_BY, PodSpecs.SLIPWAY).addToLabels(STATE, name).withResourceVersion(resourceVersion);
        if (documentKey != null) {
            metadata.addToAnnotations(KEY_ANNOTATION, documentKey);
        }
        return metadata.endMetadata().withType("Opaque")
                .addToData(DATA, Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))).build();
    }

    private String controlName() {
        return name + "-state";
    }

    /** A document's Secret: its key hashed, as keys hold characters and lengths no object name may. */
    private String documentName(String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return name + "-doc-" + HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String data(Secret s) {
        String data = s.getData() == null ? null : s.getData().get(DATA);
        if (data == null) {
            throw new IllegalArgumentException("Secret " + s.getMetadata().getName() + " has no " + DATA);
        }
        return new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
    }

    private static int size(StateCommit commit) {
        return commit.puts().entrySet().stream().mapToInt(e -> e.getKey().length() + e.getValue().length()).sum()
                + commit.deletes().stream().mapToInt(String::length).sum();
    }

    private static ObjectNode tree(StateCommit commit) {
        ObjectNode tree = JSON.createObjectNode().put("schemaVersion", commit.schemaVersion());
        ObjectNode puts = tree.putObject("puts");
        commit.puts().forEach(puts::put);
        ArrayNode deletes = tree.putArray("deletes");
        commit.deletes().forEach(deletes::add);
        return tree;
    }

    private static StateCommit commit(JsonNode tree) {
        Map<String, String> puts = new HashMap<>();
        tree.path("puts").fields().forEachRemaining(e -> puts.put(e.getKey(), e.getValue().asText()));
        Set<String> deletes = new java.util.HashSet<>();
        tree.path("deletes").forEach(d -> deletes.add(d.asText()));
        return new StateCommit(tree.path("schemaVersion").asInt(), puts, deletes);
    }
}
