package dev.slipway.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.observe.AuditTrail;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slipway audit}: the server's audit trail, one CloudTrail-shaped record per line. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        header = "Print the server's audit trail: every API call, one CloudTrail-shaped JSON record per line.",
        description = {"Prints the audit trail of the 'slipway server' of the state directory (<state-dir>/audit/audit.log "
                + "and its rotated files, oldest first): one record per API call, allowed or refused (bad signature, "
                + "validation error), and per webhook call, shaped as CloudTrail's (eventName, userIdentity, "
                + "sourceIPAddress, requestParameters and responseElements with commands, environment variables, "
                + "secrets and tokens replaced by HIDDEN_DUE_TO_SECURITY_REASONS, errorCode, errorMessage, requestID).",
                "",
                "Examples:",
                "  slipway audit --event-name CreateService",
                "  slipway audit --errors --since 2026-12-05T00:00:00Z",
                "  slipway audit --follow | jq -c '{eventTime, eventName, errorCode}'"})
final class AuditCommand implements Callable<Integer> {
    @Option(names = "--event-name", paramLabel = "ACTION", description = "Only calls of this action (CreateService, ...).")
    String eventName;

    @Option(names = "--errors", description = "Only calls that were refused or failed (with an errorCode).")
    boolean errors;

    @Option(names = "--since", paramLabel = "TIME", description = "Only calls at or after TIME (ISO-8601, e.g. 2026-12-05T10:00:00Z).")
    String since;

    @Mixin
    JsonLinesOptions records;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Instant from;
        try {
            from = since == null ? Instant.EPOCH : Instant.parse(since);
        } catch (DateTimeParseException e) {
            err.println("slipway audit: --since " + since + " is not an ISO-8601 time such as 2026-12-05T10:00:00Z");
            return 2;
        }
        Instant at = from.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return records.print("audit", AuditTrail.FILE_NAME, "audit", "audit trail", r -> matches(r, at), out, err);
    }

    private boolean matches(JsonNode r, Instant from) {
        return (eventName == null || eventName.equals(r.path("eventName").asText()))
                && (!errors || r.hasNonNull("errorCode"))
                && !Instant.parse(r.path("eventTime").asText("1970-01-01T00:00:00Z")).isBefore(from);
    }

}
