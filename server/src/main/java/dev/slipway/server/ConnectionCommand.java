package dev.slipway.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.model.Shapes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slipway connection}: what the App Runner console does for connections, against a running server. */
@Command(name = "connection", mixinStandardHelpOptions = true,
        header = "Manage connections on a running server (complete their handshake).",
        description = "Manage connections on a running 'slipway server' (create them with 'aws apprunner create-connection').",
        subcommands = ConnectionCommand.Complete.class)
final class ConnectionCommand {

    /** {@code slipway connection complete}: the handshake, done with a token instead of a browser. */
    @Command(name = "complete", mixinStandardHelpOptions = true,
            header = "Complete a connection's handshake with a token or an SSH key.",
            description = {"Complete a PENDING_HANDSHAKE connection with the provider's access token (e.g. a GitHub personal "
                    + "access token, for HTTPS URLs) or an SSH private key (for ssh:// and git@host: URLs); it becomes "
                    + "AVAILABLE, and services whose AuthenticationConfiguration names it clone private repositories with "
                    + "it.",
                "",
                "Examples:",
                "  slipway connection complete --name my-github --token-file ~/.config/github-token",
                "  slipway connection complete --name my-github --ssh-key-file ~/.ssh/deploy_key"})
    static final class Complete implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "The connection's name.")
        String name;

        @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Secret secret;

        /** Exactly one of the two. */
        static final class Secret {
            @Option(names = "--token-file", required = true, description = "A file holding the access token (it is never printed).")
            Path tokenFile;

            @Option(names = "--ssh-key-file", required = true, description = "A file holding the SSH private key (it is never printed).")
            Path sshKeyFile;
        }

        @Mixin
        ServerApiOptions server;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path file = secret.tokenFile != null ? secret.tokenFile : secret.sshKeyFile;
            if (!Files.isReadable(file)) {
                err.println("slipway connection complete: cannot read " + file);
                return 2;
            }
            String body = Shapes.mapper().createObjectNode().put("ConnectionName", name)
                    .put(secret.tokenFile != null ? "Token" : "SshPrivateKey", Files.readString(file).strip()).toString();
            Optional<JsonNode> answer = server.post("connection complete", "Slipway.CompleteConnectionHandshake", body, err);
            if (answer.isEmpty()) {
                return 2;
            }
            JsonNode json = answer.get();
            out.println("Connection " + name + " is " + json.at("/Connection/Status").asText() + " ("
                    + json.at("/Connection/ConnectionArn").asText() + ")");
            return 0;
        }
    }
}
