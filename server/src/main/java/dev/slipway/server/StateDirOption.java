package dev.slipway.server;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --state-dir}: the directory a server keeps its credentials, state, logs and workspaces in, and under which
 * {@code slipway up} keeps each service's ({@code <dir>/up/<name>}), where {@code slipway logs} finds both.
 */
final class StateDirOption {
    @Option(names = "--state-dir", description = "Slipway's state directory: the server's credentials, state, logs and "
            + "workspaces; slipway up keeps each service's logs in <dir>/up/<name> (default: $SLIPWAY_STATE_DIR, else "
            + "~/.slipway; now ${DEFAULT-VALUE}).",
            defaultValue = "${env:SLIPWAY_STATE_DIR:-${sys:user.home}/.slipway}")
    Path path;

    /** Where {@code slipway up} keeps the service {@code name}'s state and logs. */
    Path up(String name) {
        return path.resolve("up").resolve(name);
    }
}
