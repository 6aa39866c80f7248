package dev.slipway.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StateStore} must do, run by a subclass against the real store: a new store on the same place
 * (a restarted control plane) loads exactly what was committed, document for document, with the schema version; a
 * commit writes and removes only the documents it names; nothing committed loads as empty.
 */
public abstract class StateStoreContract {
    /** A store on the same place each time it is called (as a restarted control plane opens it again). */
    protected abstract StateStore openStore();

    @Test
    void aNewStoreOnTheSamePlaceLoadsEverythingCommitted() {
        try (StateStore store = openStore()) {
            store.commit(new StateCommit(3, Map.of("service/a", "{\"name\":\"a\"}", "connections", "{\"connections\":[]}"), Set.of()));
            store.commit(new StateCommit(3, Map.of("service/b", "{\"name\":\"b\",\"secret\":\"s3cret \\u00e9\"}"), Set.of()));
        }
        try (StateStore again = openStore()) {
            assertThat(again.load()).contains(new StoredState(3, Map.of("service/a", "{\"name\":\"a\"}",
                    "connections", "{\"connections\":[]}", "service/b", "{\"name\":\"b\",\"secret\":\"s3cret \\u00e9\"}")));
        }
    }

    @Test
    void aCommitWritesAndRemovesOnlyTheDocumentsItNames() {
        try (StateStore store = openStore()) {
            store.commit(new StateCommit(2, Map.of("state", "{}", "a", "1", "b", "2"), Set.of()));
            store.commit(new StateCommit(3, Map.of("b", "20", "c", "3"), Set.of("state", "absent")));
            store.commit(new StateCommit(3, Map.of(), Set.of("a")));
        }
        try (StateStore again = openStore()) {
            assertThat(again.load()).contains(new StoredState(3, Map.of("b", "20", "c", "3")));
        }
    }

    @Test
    void nothingCommittedLoadsAsEmpty() {
        try (StateStore store = openStore()) {
            assertThat(store.load()).isEmpty();
        }
    }
}
