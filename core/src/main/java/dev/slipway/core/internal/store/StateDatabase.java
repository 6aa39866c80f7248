package dev.slipway.core.internal.store;

import dev.slipway.core.store.SqliteStateStore;
import dev.slipway.core.store.StateCommit;
import dev.slipway.core.store.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state database of a state directory ({@code <state-dir>/state.db}), with the state file of a Slipway before
 * schema version 3 ({@code <state-dir>/state.json}, the whole state as one JSON document) taken in as it is, in its
 * own schema version (the control plane then migrates it), and kept beside as {@code state.json.migrated} for whoever
 * wants to go back to an older Slipway.
 */
public final class StateDatabase {
    private static final Logger LOG = LoggerFactory.getLogger(StateDatabase.class);

    private StateDatabase() {
    }

    /** Opens {@code <stateDir>/state.db}, taking in the {@code state.json} of an earlier Slipway there. */
    public static StateStore open(Path stateDir) {
        SqliteStateStore db = new SqliteStateStore(stateDir.resolve("state.db"));
        try {
            moveInto(stateDir, db);
            return db;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** Moves {@code <stateDir>/state.json}, if there is one, into {@code store} (unless the store holds a state already). */
    static void moveInto(Path stateDir, StateStore store) {
        Path file = stateDir.resolve("state.json");
        if (!Files.exists(file)) {
            return;
        }
        try {
            if (store.load().isEmpty()) {
                String json = Files.readString(file);
                int version = StateSchema.MAPPER.readTree(json).path("version").asInt(0);
                store.commit(new StateCommit(version, Map.of(StateSchema.WHOLE_STATE, json), Set.of()));
                LOG.info("took the state of {} (schema version {}) into the state database", file, version);
            }
            Files.move(file, stateDir.resolve("state.json.migrated"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the state of an earlier Slipway from " + file
                    + "; move it away to start empty, or restore it from a backup", e);
        }
    }
}
