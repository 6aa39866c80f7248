package dev.slipway.server;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --state-dir}: the directory a server keeps its credentials, state, logs and workspaces in. */
final class StateDirOption {
    @Option(names = "--state-dir", description = "The server's state directory: credentials, state, logs, workspaces "
            + "(default: $SLIPWAY_STATE_DIR, else ~/.slipway; now ${DEFAULT-VALUE}).",
            defaultValue = "${env:SLIPWAY_STATE_DIR:-${sys:user.home}/.slipway}")
    Path path;
}
