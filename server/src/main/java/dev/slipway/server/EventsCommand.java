package dev.slipway.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.events.EventPattern;
import dev.slipway.core.model.Shapes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slipway events}: the events of a server's services, one EventBridge-shaped JSON object per line. */
@Command(name = "events", mixinStandardHelpOptions = true,
        header = "Print the events of the services (status and operation changes), one JSON object per line.",
        description = {"Prints the events of the services of the state directory's 'slipway server' (or 'slipway up'), "
                + "oldest first, shaped as App Runner sends them to EventBridge: \"Service Status Change\" (PreviousStatus, "
                + "CurrentStatus) and \"Service Operation Status Change\" (Status: CreateServiceStarted ... "
                + "ResumeServiceFailed, DeploymentStarted/CompletedSuccessfully/Failed), with ServiceName, ServiceId, Message "
                + "and Severity. --pattern keeps those an EventBridge event pattern matches.",
                "",
                "Examples:",
                "  slipway events --follow",
                "  slipway events --pattern '{\"detail-type\": [\"Service Operation Status Change\"], \"detail\": {\"Status\": [{\"suffix\": \"Failed\"}]}}'",
                "  slipway events --pattern '{\"detail\": {\"ServiceName\": [\"my-app\"]}}'"})
final class EventsCommand implements Callable<Integer> {
    @Option(names = "--pattern", paramLabel = "JSON", description = "An EventBridge event pattern: only the events it matches.")
    String pattern;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events until Ctrl-C.")
    boolean follow;

    @Mixin
    StateDirOption stateDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EventPattern filter;
        try {
            filter = pattern == null ? null : EventPattern.parse(pattern);
        } catch (InvalidRequestException e) {
            err.println("slipway events: " + e.getMessage());
            return 2;
        }
        Path dir = stateDir.path.resolve("events");
        if (!Files.isDirectory(dir) && !follow) {
            err.println("slipway events: no events in " + dir + "; they are written by 'slipway server --state-dir "
                    + stateDir.path + "'");
            return 1;
        }
        JsonLinesPrinter.print(dir, "events.log", follow, line -> filter == null || matches(filter, line), out);
        return 0;
    }

    private static boolean matches(EventPattern filter, String line) {
        try {
            JsonNode event = Shapes.mapper().readTree(line);
            return filter.matches(event);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
