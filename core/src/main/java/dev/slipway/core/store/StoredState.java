package dev.slipway.core.store;

import java.util.Map;

/** The documents of a store, by key, and the schema version they were written in. */
public record StoredState(int schemaVersion, Map<String, String> documents) {
    public StoredState {
        documents = Map.copyOf(documents);
    }
}
