package dev.slipway.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state file passes the state store contract, is private to its owner, and a damaged one is reported, not ignored. */
class FileStateStoreTest extends StateStoreContract {
    @TempDir
    Path tmp;

    @Override
    protected StateStore openStore() {
        return new FileStateStore(tmp.resolve("state.json"));
    }

    @Test
    void theFileIsPrivateToItsOwnerAndReplacedAtomically() throws Exception {
        new FileStateStore(tmp.resolve("state.json")).save(state(List.of(service("svc", "id"))));

        assertThat(Files.getPosixFilePermissions(tmp.resolve("state.json"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(tmp.resolve("state.json.tmp")).doesNotExist();
    }

    @Test
    void aDamagedFileIsReportedWithWhatToDo() throws Exception {
        Files.writeString(tmp.resolve("state.json"), "{\"version\": 1, \"services\": [");
        assertThatThrownBy(() -> new FileStateStore(tmp.resolve("state.json")).load())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("move the file away");
        assertThat(new FileStateStore(tmp.resolve("absent.json")).load()).isEmpty();
        for (String damaged : java.util.List.of("null", "{\"version\": 2, \"services\": null, \"connections\": [], \"tags\": {}}",
                "{\"version\": 2, \"services\": [null], \"connections\": [], \"autoScaling\": {\"revisions\": []}, \"tags\": {}}")) {
            Files.writeString(tmp.resolve("state.json"), damaged);
            assertThatThrownBy(() -> new FileStateStore(tmp.resolve("state.json")).load()).as(damaged)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("move the file away");
        }
    }
}
