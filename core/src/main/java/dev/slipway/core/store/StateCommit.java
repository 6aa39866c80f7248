package dev.slipway.core.store;

import java.util.Map;
import java.util.Set;

/**
 * One change of the state, applied atomically: documents written (by key, their JSON), documents removed, and the
 * schema version the store holds afterwards.
 */
public record StateCommit(int schemaVersion, Map<String, String> puts, Set<String> deletes) {
    public StateCommit {
        puts = Map.copyOf(puts);
        deletes = Set.copyOf(deletes);
        if (puts.keySet().stream().anyMatch(deletes::contains)) {
            throw new IllegalArgumentException("a commit puts and deletes the same document");
        }
    }

    public boolean isEmpty() {
        return puts.isEmpty() && deletes.isEmpty();
    }
}
