package dev.slipway.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state database passes the store contract, is private to its owner, and a damaged one is reported, not ignored. */
class SqliteStateStoreTest extends StateStoreContract {
    @TempDir
    Path tmp;

    @Override
    protected StateStore openStore() {
        return new SqliteStateStore(tmp.resolve("state.db"));
    }

    @Test
    void theDatabaseAndItsLogArePrivateToTheirOwner() throws Exception {
        try (StateStore store = openStore()) {
            store.commit(new StateCommit(3, Map.of("service/a", "{\"token\":\"t\"}"), Set.of()));
            assertThat(Files.getPosixFilePermissions(tmp.resolve("state.db"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.getPosixFilePermissions(tmp.resolve("state.db-wal"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void aDamagedDatabaseIsReportedWithWhatToDo() throws Exception {
        Files.writeString(tmp.resolve("state.db"), "this is not an SQLite database, but it is long enough to have a header of one");
        assertThatThrownBy(() -> {
            try (StateStore store = openStore()) {
                store.load();
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("move it away");
    }
}
