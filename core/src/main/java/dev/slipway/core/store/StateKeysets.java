package dev.slipway.core.store;

import dev.slipway.core.crypto.KeyRing;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A key ring's keysets kept in the state store itself, as documents {@code keyset/<name>} (each encrypted under the
 * master key), for a state that several replicas share (the Kubernetes state store): every replica given the same
 * master key opens them, and nothing of them is on one machine's disk. A {@link SealedStateStore} over the state reads
 * them with the state and saves a new one with a commit of its own before the first value it encrypts with it.
 */
public final class StateKeysets implements KeyRing.Keysets {
    /** The documents' key prefix. */
    public static final String PREFIX = "keyset/";

    private final Map<String, String> saved = new ConcurrentHashMap<>();
    private volatile Consumer<Map<String, String>> save;

    @Override
    public Optional<String> read(String name) {
        return Optional.ofNullable(saved.get(PREFIX + name));
    }

    @Override
    public void write(String name, String encryptedKeyset) {
        Consumer<Map<String, String>> to = save;
        if (to == null) {
            throw new IllegalStateException("keyset " + name + " cannot be saved: the state store is not open yet");
        }
        to.accept(Map.of(PREFIX + name, encryptedKeyset));
        saved.put(PREFIX + name, encryptedKeyset);
    }

    @Override
    public String where(String name) {
        return "the state's document " + PREFIX + name;
    }

    /** The keysets among the documents of a state just read. */
    void loaded(Map<String, String> documents) {
        saved.clear();
        documents.forEach((key, json) -> {
            if (key.startsWith(PREFIX)) {
                saved.put(key, json);
            }
        });
    }

    /** How a new keyset is saved: a commit of its document. */
    void saveWith(Consumer<Map<String, String>> commit) {
        this.save = commit;
    }
}
