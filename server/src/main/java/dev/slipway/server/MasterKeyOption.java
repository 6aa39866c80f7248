package dev.slipway.server;

import dev.slipway.core.crypto.KeyRing;
import dev.slipway.core.store.StateKeysets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --master-key-file}: where the master key of the state's key ring is, unless SLIPWAY_MASTER_KEY gives it. */
final class MasterKeyOption {
    @Option(names = "--master-key-file", paramLabel = "FILE", description = "The master key that encrypts the keys of the "
            + "state's secrets (32 bytes; made there, 0600, if missing, except with --state-store kubernetes, where every "
            + "replica must be given the same one); SLIPWAY_MASTER_KEY (base64) wins over it. Keep it out of the state "
            + "directory, so a copy of the directory reveals no secret (default: /etc/slipway/master.key as root, else "
            + "~/.config/slipway/master.key).")
    Path file;

    /** The key ring of {@code stateDir} (its keysets in {@code <state-dir>/keys}), opened with the master key. */
    KeyRing open(Path stateDir) {
        return KeyRing.open(stateDir.resolve("keys"), System.getenv(), file());
    }

    /**
     * A key ring whose keysets are documents of the state itself, for a state every replica shares (in the cluster):
     * the master key must be given, never made here, as each replica needs the same one. One per store that reads them.
     */
    KeyRing openShared() {
        return KeyRing.open(new StateKeysets(), System.getenv(), file(), false);
    }

    private Path file() {
        return file != null ? file : "root".equals(System.getProperty("user.name"))
                ? Path.of("/etc/slipway/master.key") : Path.of(System.getProperty("user.home"), ".config", "slipway", "master.key");
    }
}
