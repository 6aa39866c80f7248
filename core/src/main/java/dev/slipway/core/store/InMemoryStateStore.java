package dev.slipway.core.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps the documents in this process only: for embedding and tests. A new Slipway given the same instance finds
 * what the last one committed (a restart without a disk).
 */
public final class InMemoryStateStore implements StateStore {
    private final Map<String, String> documents = new LinkedHashMap<>();
    private int schemaVersion;

    @Override
    public synchronized Optional<StoredState> load() {
        return schemaVersion == 0 ? Optional.empty() : Optional.of(new StoredState(schemaVersion, documents));
    }

    @Override
    public synchronized void commit(StateCommit commit) {
        commit.deletes().forEach(documents::remove);
        documents.putAll(commit.puts());
        schemaVersion = commit.schemaVersion();
    }
}
