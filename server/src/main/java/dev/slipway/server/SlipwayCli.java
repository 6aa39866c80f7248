package dev.slipway.server;

import io.netty.util.ResourceLeakDetector;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code slipway} command line. */
@Command(name = "slipway", mixinStandardHelpOptions = true, version = "Slipway 0.1.0",
        description = {"Slipway builds, runs, health-checks and routes web services from source code on this machine, like "
                + "AWS App Runner. Start with: slipway up <directory-or-git-url>; or run the App Runner API: slipway "
                + "server."},
        subcommands = {UpCommand.class, InitCommand.class, ServerCommand.class, LogsCommand.class, ConnectionCommand.class, DomainCommand.class,
                WebhookCommand.class, EventsCommand.class, AuditCommand.class, KeysCommand.class, AppRunnerYamlHelp.class, CommandLine.HelpCommand.class})
public final class SlipwayCli {
    public static void main(String[] args) {
        // the command line is a program of its own, so it chooses: Netty's leak sampling costs every buffer of the router
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        System.exit(new CommandLine(new SlipwayCli()).execute(args));
    }
}
