package dev.slipway.server;

import dev.slipway.core.crypto.KeyRing;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code slipway keys rotate}: a new key for the state's secrets; what the old keys encrypted stays readable.
 * {@code slipway keys seal}: a secret access key sealed for the principals file.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, header = "Manage the keys that encrypt the state's secrets.",
        subcommands = {KeysCommand.Rotate.class, KeysCommand.Seal.class},
        description = {"The secrets of a server's state are encrypted with a keyset of the state directory (keys/), "
                + "itself encrypted with the master key (SLIPWAY_MASTER_KEY or --master-key-file). See docs/user-guide.md, "
                + "\"Encryption at rest and key management\".", "", "Examples:", "  slipway keys rotate --state-dir /var/lib/slipway",
                "  openssl rand -hex 20 | tee reader.secret | slipway keys seal"})
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

    @Command(name = "seal", mixinStandardHelpOptions = true, header = "Seal a secret access key for the principals file.",
            description = {"Reads the secret from standard input (one line; never from the command line, where ps shows it) "
                    + "and prints it sealed, enc:v1:..., for a \"secretAccessKey\" of the file slipway server --principals "
                    + "reads. Sealed with a key derived from the master key (SLIPWAY_MASTER_KEY or --master-key-file), so only "
                    + "a server given the same master key opens it, with the state in a directory or in the cluster."})
    static final class Seal implements Callable<Integer> {
        @Mixin
        MasterKeyOption masterKey;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws java.io.IOException {
            String secret = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))
                    .readLine();
            if (secret == null || secret.strip().length() < 16) {
                spec.commandLine().getErr().println("slipway keys seal: give the secret access key on standard input (at least "
                        + "16 characters), e.g.: openssl rand -hex 20 | tee reader.secret | slipway keys seal");
                return 2;
            }
            try {
                KeyRing ring = masterKey.openShared();
                spec.commandLine().getOut().println(KeyRing.seal(ring.derivedAead(ServerCommand.PRINCIPAL_SECRET), secret.strip(),
                        ServerCommand.PRINCIPAL_SECRET));
                return 0;
            } catch (IllegalStateException e) {
                spec.commandLine().getErr().println("slipway keys seal: " + e.getMessage());
                return 2;
            }
        }
    }
}
