package dev.slipway.server;

import dev.slipway.core.crypto.KeyRing;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --master-key-file}: where the master key of the state's key ring is, unless SLIPWAY_MASTER_KEY gives it. */
final class MasterKeyOption {
    @Option(names = "--master-key-file", paramLabel = "FILE", description = "The master key that encrypts the keys of the "
            + "state's secrets (32 bytes; made there, 0600, if missing); SLIPWAY_MASTER_KEY (base64) wins over it. Keep it "
            + "out of the state directory, so a copy of the directory reveals no secret (default: /etc/slipway/master.key "
            + "as root, else ~/.config/slipway/master.key).")
    Path file;

    /** The key ring of {@code stateDir}, opened with the master key. */
    KeyRing open(Path stateDir) {
        Path master = file != null ? file : "root".equals(System.getProperty("user.name"))
                ? Path.of("/etc/slipway/master.key") : Path.of(System.getProperty("user.home"), ".config", "slipway", "master.key");
        return KeyRing.open(stateDir.resolve("keys"), System.getenv(), master);
    }
}
