package dev.slipway.core.store;

import java.util.Optional;

/**
 * Where the control plane keeps its state between runs: a transactional store of JSON documents by key, with the
 * schema version they are written in. The control plane owns the documents' schema and migrates older versions
 * forward; a store only keeps them. A change is one {@link StateCommit}: only the documents it touches are written,
 * so its cost does not grow with the number of services. Calls come from one writer at a time.
 */
public interface StateStore extends AutoCloseable {
    /** What was committed last, if anything ever was. */
    Optional<StoredState> load();

    /**
     * Applies a commit atomically: when this returns, all of it survives a crash of the process; when it throws,
     * none of it shows (to this store's next {@link #load()} or another store on the same place).
     */
    void commit(StateCommit commit);

    /**
     * The id of the control plane this state belongs to, when the store keeps one (a store outside the state directory,
     * which a restarted control plane on another machine finds again): it labels the instances, so they are adopted.
     * Empty: the id kept in the state directory.
     */
    default Optional<String> controlPlaneId() {
        return Optional.empty();
    }

    /** Releases what the store holds open (a database connection). */
    @Override
    default void close() {
    }
}
