package dev.slipway.server;

import dev.slipway.core.crypto.KeyRing;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slipway keys rotate}: a new key for the state's secrets; what the old keys encrypted stays readable. */
@Command(name = "keys", mixinStandardHelpOptions = true, header = "Manage the keys that encrypt the state's secrets.",
        subcommands = KeysCommand.Rotate.class,
        description = {"The secrets of a server's state are encrypted with a keyset of the state directory (keys/), "
                + "itself encrypted with the master key (SLIPWAY_MASTER_KEY or --master-key-file). See docs/user-guide.md, "
                + "\"Encryption at rest and key management\".", "", "Example:", "  slipway keys rotate --state-dir /var/lib/slipway"})
final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true, header = "Add a new primary key to a keyset.",
            description = {"New secrets are encrypted with the new key; what the old keys encrypted stays readable. A running "
                    + "server picks the new key up at its next start."})
    static final class Rotate implements Callable<Integer> {
        @Option(names = "--key", paramLabel = "NAME", description = "The keyset (default: ${DEFAULT-VALUE}, Slipway's own).",
                defaultValue = KeyRing.SLIPWAY)
        String key;

        @Mixin
        StateDirOption stateDir;

        @Mixin
        MasterKeyOption masterKey;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                KeyRing ring = masterKey.open(stateDir.path);
                ring.rotate(key);
                out.println("The keyset " + key + " of " + stateDir.path.resolve("keys") + " has " + ring.keys(key)
                        + " keys now; new secrets are encrypted with the newest.");
                return 0;
            } catch (IllegalStateException e) {
                spec.commandLine().getErr().println("slipway keys rotate: " + e.getMessage());
                return 2;
            }
        }
    }
}
