package dev.slipway.server;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.events.EventPattern;
import java.io.PrintWriter;
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
                + "and Severity. --pattern keeps those an EventBridge event pattern matches. --dead-letters prints instead what "
                + "event rules (slipway server --event-rules) gave up delivering: the rule, its endpoint, the attempts, the "
                + "last reason and the event; --pattern applies to the event.",
                "",
                "Examples:",
                "  slipway events --follow",
                "  slipway events --pattern '{\"detail-type\": [\"Service Operation Status Change\"], \"detail\": {\"Status\": [{\"suffix\": \"Failed\"}]}}'",
                "  slipway events --pattern '{\"detail\": {\"ServiceName\": [\"my-app\"]}}'",
                "  slipway events --dead-letters"})
final class EventsCommand implements Callable<Integer> {
    @Option(names = "--pattern", paramLabel = "JSON", description = "An EventBridge event pattern: only the events it matches.")
    String pattern;

    @Option(names = "--dead-letters", description = "The events that event rules gave up delivering (events/dead-letter.log).")
    boolean deadLetters;

    @Mixin
    JsonLinesOptions records;

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
        if (deadLetters) {
            return records.print("events", "dead-letter.log", "events --dead-letters", "dead letters",
                    letter -> filter == null || filter.matches(letter.path("event")), out, err);
        }
        return records.print("events", "events.log", "events", "events", e -> filter == null || filter.matches(e), out, err);
    }
}
