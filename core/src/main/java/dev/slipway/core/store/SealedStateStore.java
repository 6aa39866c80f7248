package dev.slipway.core.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.slipway.core.crypto.KeyRing;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A state store whose documents keep their secrets encrypted: the values of every {@code RuntimeEnvironmentSecrets}
 * map and of a revision's {@code secrets}, a connection's {@code credentialSecret} (token or SSH key), a custom
 * domain's certificate {@code privateKey}, a service's {@code webhookSecret} and the secret store's {@code secretValue}s
 * are written as
 * {@code enc:v1:<base64 AEAD ciphertext>} (the field's name is the associated data) and read back as they were. The
 * rest of each document stays plain JSON, so a state can still be read and migrated; a document written before
 * (plain values) is read as it is and sealed when it is next written. Wraps any store (the file database, Kubernetes).
 * With {@link StateKeysets}, the key ring's keysets are documents of the same state (not shown to the control plane).
 */
public final class SealedStateStore implements StateStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = KeyRing.SEALED;
    /** Objects whose every value is secret. */
    private static final Set<String> SECRET_MAPS = Set.of("runtimeenvironmentsecrets", "secrets");
    /** Fields whose value is secret. */
    private static final Set<String> SECRET_FIELDS = Set.of("credentialsecret", "privatekey", "webhooksecret", "secretvalue");

    private final StateStore inner;
    private final KeyRing ring;
    private final StateKeysets keysets;
    private volatile int schemaVersion;

    /** Encrypts with {@code ring}'s {@link KeyRing#SLIPWAY} key (made on first use, in the state if its keysets are). */
    public SealedStateStore(StateStore inner, KeyRing ring) {
        this.inner = inner;
        this.ring = ring;
        this.keysets = ring.keysets() instanceof StateKeysets k ? k : null;
        if (keysets != null) {
            keysets.saveWith(documents -> inner.commit(new StateCommit(schemaVersion, documents, Set.of())));
        }
    }

    @Override
    public Optional<StoredState> load() {
        Optional<StoredState> loaded = inner.load();
        if (keysets != null) {
            keysets.loaded(loaded.map(StoredState::documents).orElse(Map.of()));
            ring.reload(); // a keyset another replica rotated meanwhile
        }
        return loaded.map(s -> {
            schemaVersion = s.schemaVersion();
            Map<String, String> open = new LinkedHashMap<>();
            s.documents().forEach((k, v) -> {
                if (!k.startsWith(StateKeysets.PREFIX)) {
                    open.put(k, transform(k, v, false));
                }
            });
            return new StoredState(s.schemaVersion(), open);
        });
    }

    @Override
    public void commit(StateCommit commit) {
        schemaVersion = commit.schemaVersion();
        Map<String, String> sealed = new LinkedHashMap<>();
        commit.puts().forEach((k, v) -> sealed.put(k, transform(k, v, true)));
        inner.commit(new StateCommit(commit.schemaVersion(), sealed, commit.deletes()));
    }

    @Override
    public Optional<String> controlPlaneId() {
        return inner.controlPlaneId();
    }

    @Override
    public void close() {
        inner.close();
    }

    private String transform(String key, String json, boolean seal) {
        if (!seal && !json.contains(PREFIX)) {
            return json;
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return json; // not JSON: not this store's to judge (the schema reports it when it reads it)
        }
        return walk(tree, key, seal) ? tree.toString() : json;
    }

    /** Seals (or opens) the secret values under {@code node}; whether anything changed. */
    private boolean walk(JsonNode node, String document, boolean seal) {
        boolean changed = false;
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey().toLowerCase(Locale.ROOT);
                JsonNode v = e.getValue();
                if (SECRET_FIELDS.contains(name) && v.isTextual()) {
                    e.setValue(new TextNode(crypt(v.asText(), name, document, seal)));
                    changed = true;
                } else if (SECRET_MAPS.contains(name) && v instanceof ObjectNode map) {
                    for (Iterator<Map.Entry<String, JsonNode>> values = map.fields(); values.hasNext(); ) {
                        Map.Entry<String, JsonNode> s = values.next();
                        if (s.getValue().isTextual()) {
                            s.setValue(new TextNode(crypt(s.getValue().asText(), name, document, seal)));
                            changed = true;
                        }
                    }
                } else {
                    changed |= walk(v, document, seal);
                }
            }
        } else if (node != null && node.isArray()) {
            for (JsonNode e : node) {
                changed |= walk(e, document, seal);
            }
        }
        return changed;
    }

    private String crypt(String value, String field, String document, boolean seal) {
        try {
            return seal ? ring.seal(KeyRing.SLIPWAY, value, field) : ring.unseal(KeyRing.SLIPWAY, value, field);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("a secret of the stored document '" + document + "' cannot be "
                    + (seal ? "encrypted" : "decrypted") + ": " + e.getMessage(), e);
        }
    }
}
