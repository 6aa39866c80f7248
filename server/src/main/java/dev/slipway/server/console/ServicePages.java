package dev.slipway.server.console;

import static dev.slipway.server.console.Console.html;
import static dev.slipway.server.console.Console.input;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.core.Slipway;
import dev.slipway.core.api.ListOperationsRequest;
import dev.slipway.core.api.ListServicesRequest;
import dev.slipway.core.model.Shapes;
import dev.slipway.server.api.ApiGate;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pages of services: the list, a service's page and its buttons, the create form, auto scaling configurations. A
 * page's data comes from the API calls it makes, through {@link ApiGate} (authorized and audited as those calls); its
 * live updates read the same through the control plane, once the caller is still allowed the call they stand for.
 */
final class ServicePages {
    private static final Pattern AT_PATH = Pattern.compile("at '([^']+)'");

    private final Slipway slipway;
    private final ApiGate gate;
    private final MetricsHistory metrics;

    ServicePages(Slipway slipway, ApiGate gate, MetricsHistory metrics) {
        this.slipway = slipway;
        this.gate = gate;
        this.metrics = metrics;
    }

    FullHttpResponse list(Console.Caller caller, String flash) {
        Optional<List<ConsolePages.Row>> rows = rows(caller, true);
        if (rows.isEmpty()) {
            return refusedPage(caller, "Services", "You may not list services (apprunner:ListServices).");
        }
        boolean canCreate = gate.allows(caller.principal(), "CreateService", input("ServiceName", "console"), caller.from());
        return html(HttpResponseStatus.OK, ConsolePages.services(rows.get(), canCreate, caller.principal().name(), caller.csrf(), flash));
    }

    /**
     * The rows of the service list: through the API's ListServices ({@code audited}, for the page), or read from the control
     * plane for a live update, if the caller may still list services; empty if not.
     */
    Optional<List<ConsolePages.Row>> rows(Console.Caller caller, boolean audited) {
        List<JsonNode> summaries = new ArrayList<>();
        String next = null;
        do {
            ObjectNode in = input("MaxResults", 20);
            if (next != null) {
                in.put("NextToken", next);
            }
            JsonNode page;
            if (audited) {
                ApiGate.Answer a = gate.call(caller.principal(), caller.accessKeyId(), "ListServices", in, caller.from(), Console.USER_AGENT);
                if (!a.ok()) {
                    return Optional.empty();
                }
                page = a.output();
            } else {
                if (!gate.allows(caller.principal(), "ListServices", in, caller.from())) {
                    return Optional.empty();
                }
                page = Shapes.mapper().valueToTree(slipway.listServices(new ListServicesRequest(20, next)));
            }
            page.path("ServiceSummaryList").forEach(summaries::add);
            next = page.path("NextToken").isTextual() ? page.path("NextToken").asText() : null;
        } while (next != null);
        List<ConsolePages.Row> rows = new ArrayList<>();
        for (JsonNode s : summaries) {
            String name = s.path("ServiceName").asText();
            String arn = s.path("ServiceArn").asText();
            List<MetricsHistory.Sample> h = metrics.of(name);
            String instances = h.isEmpty() || Double.isNaN(h.get(h.size() - 1).instances()) ? "–"
                    : Long.toString(Math.round(h.get(h.size() - 1).instances()));
            rows.add(new ConsolePages.Row(name, arn, s.path("Status").asText(), "http://" + s.path("ServiceUrl").asText(),
                    lastDeployment(caller, arn), metrics.requestsPerMinute(name), instances));
        }
        return Optional.of(rows);
    }

    /** When the service's latest operation started (shown to who may list its operations). */
    private String lastDeployment(Console.Caller caller, String arn) {
        if (!gate.allows(caller.principal(), "ListOperations", input("ServiceArn", arn), caller.from())) {
            return "";
        }
        try {
            JsonNode ops = Shapes.mapper().valueToTree(slipway.listOperations(new ListOperationsRequest(arn, 1, null)));
            JsonNode latest = ops.path("OperationSummaryList").path(0);
            return latest.isMissingNode() ? "" : ConsolePages.time(latest.path("StartedAt")) + " (" + latest.path("Type").asText() + ")";
        } catch (RuntimeException e) {
            return ""; // deleted meanwhile
        }
    }

    /** The ARN of the service named {@code name}, if there is one. */
    Optional<String> arnOf(String name) {
        String next = null;
        do {
            JsonNode page = Shapes.mapper().valueToTree(slipway.listServices(new ListServicesRequest(20, next)));
            for (JsonNode s : page.path("ServiceSummaryList")) {
                if (s.path("ServiceName").asText().equals(name)) {
                    return Optional.of(s.path("ServiceArn").asText());
                }
            }
            next = page.path("NextToken").isTextual() ? page.path("NextToken").asText() : null;
        } while (next != null);
        return Optional.empty();
    }

    FullHttpResponse page(Console.Caller caller, String name, String flash) {
        Optional<String> arn = arnOf(name);
        if (arn.isEmpty()) {
            return html(HttpResponseStatus.NOT_FOUND, Html.page("No service " + name, caller.principal().name(), caller.csrf(), flash,
                    "<p>There is no service named " + Html.esc(name) + ". <a href=\"/console/services\">Services</a></p>"));
        }
        ApiGate.Answer described = call(caller, "DescribeService", input("ServiceArn", arn.get()));
        if (!described.ok()) {
            return refusedPage(caller, name, described.message());
        }
        ApiGate.Answer operations = call(caller, "ListOperations", input("ServiceArn", arn.get(), "MaxResults", 20));
        ApiGate.Answer domains = call(caller, "DescribeCustomDomains", input("ServiceArn", arn.get()));
        ObjectNode target = input("ServiceArn", arn.get());
        ConsolePages.Allowed allowed = new ConsolePages.Allowed(allows(caller, "StartDeployment", target),
                allows(caller, "PauseService", target), allows(caller, "ResumeService", target), allows(caller, "DeleteService", target));
        return html(HttpResponseStatus.OK, ConsolePages.service(described.output().path("Service"),
                operations.ok() ? operations.output().path("OperationSummaryList") : Shapes.mapper().createArrayNode(),
                domains.ok() ? domains.output().path("CustomDomains") : null, allowed, caller.principal().name(), caller.csrf(), flash));
    }

    /** A button of the service page: what it did, or why not (shown once on the next page). */
    String act(Console.Caller caller, String name, String action, Map<String, String> form) {
        Optional<String> arn = arnOf(name);
        if (arn.isEmpty()) {
            return "There is no service named " + name + ".";
        }
        String call = switch (action) {
            case "deploy" -> "StartDeployment";
            case "pause" -> "PauseService";
            case "resume" -> "ResumeService";
            case "delete" -> "DeleteService";
            default -> null;
        };
        if (call == null) {
            return "No such action: " + action + ".";
        }
        if (action.equals("delete") && !name.equals(form.getOrDefault("confirm", "").trim())) {
            return "Not deleted: type the service's name, " + name + ", to confirm.";
        }
        ApiGate.Answer a = call(caller, call, input("ServiceArn", arn.get()));
        if (!a.ok()) {
            return a.code() + ": " + a.message();
        }
        return switch (action) {
            case "deploy" -> "Deployment started (operation " + a.output().path("OperationId").asText() + ").";
            case "pause" -> "Pausing " + name + ".";
            case "resume" -> "Resuming " + name + ".";
            default -> "Deleting " + name + ".";
        };
    }

    FullHttpResponse create(Console.Caller caller, Map<String, String> form, Sessions sessions) {
        Map<String, String> errors = new LinkedHashMap<>();
        ObjectNode in;
        try {
            in = createInput(form);
        } catch (IllegalArgumentException e) {
            String[] fieldAndMessage = e.getMessage().split(": ", 2);
            errors.put(fieldAndMessage[0], fieldAndMessage[1]);
            return html(HttpResponseStatus.BAD_REQUEST, ConsolePages.create(form, errors, null, caller.principal().name(), caller.csrf()));
        }
        ApiGate.Answer a = call(caller, "CreateService", in);
        if (a.ok()) {
            sessions.flash(caller.session().id(), "Creating " + form.get("serviceName") + " (operation "
                    + a.output().path("OperationId").asText() + ").");
            return Console.redirect(Console.PREFIX + "/services/" + form.get("serviceName"), null);
        }
        String general = fieldErrors(a.message(), errors);
        return html(a.code().equals("AccessDeniedException") ? HttpResponseStatus.FORBIDDEN : HttpResponseStatus.BAD_REQUEST,
                ConsolePages.create(form, errors, general == null ? null : a.code() + ": " + general, caller.principal().name(), caller.csrf()));
    }

    /**
     * Puts each part of an API error that names a member ({@code Value ... at 'serviceName' failed to satisfy ...}, or
     * a message naming it) next to the form's field for it; returns what names no field.
     */
    static String fieldErrors(String message, Map<String, String> errors) {
        List<String> rest = new ArrayList<>();
        for (String part : message.replaceFirst("^\\d+ validation errors? detected: ", "").split("; ")) {
            String field = null;
            Matcher at = AT_PATH.matcher(part);
            String path = at.find() ? at.group(1).toLowerCase(java.util.Locale.ROOT) : part.toLowerCase(java.util.Locale.ROOT);
            int best = 0;
            for (ConsolePages.Field f : ConsolePages.CREATE_FIELDS) {
                String p = f.path().toLowerCase(java.util.Locale.ROOT);
                String last = p.substring(p.lastIndexOf('.') + 1);
                if ((path.contains(p) || path.endsWith(last) || path.contains(last)) && last.length() > best) {
                    field = f.name();
                    best = last.length();
                }
            }
            if (field != null) {
                errors.merge(field, part, (x, y) -> x + "; " + y);
            } else {
                rest.add(part);
            }
        }
        return rest.isEmpty() ? null : String.join("; ", rest);
    }

    /** CreateService's input from the form (empty fields left out, as the AWS CLI would). */
    static ObjectNode createInput(Map<String, String> f) {
        ObjectNode in = input("ServiceName", f.getOrDefault("serviceName", "").trim());
        ObjectNode source = in.putObject("SourceConfiguration");
        source.put("AutoDeploymentsEnabled", "true".equals(f.get("autoDeployments")));
        ObjectNode values = Shapes.mapper().createObjectNode();
        put(values, "StartCommand", f.get("startCommand"));
        put(values, "Port", f.get("port"));
        ObjectNode env = Shapes.mapper().createObjectNode();
        String[] lines = f.getOrDefault("environment", "").split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("environment: line " + (i + 1) + " is not KEY=value");
            }
            env.put(line.substring(0, eq).strip(), line.substring(eq + 1));
        }
        if (!env.isEmpty()) {
            values.set("RuntimeEnvironmentVariables", env);
        }
        if ("image".equals(f.get("source"))) {
            ObjectNode image = source.putObject("ImageRepository");
            image.put("ImageIdentifier", f.getOrDefault("imageIdentifier", "").trim());
            image.put("ImageRepositoryType", f.getOrDefault("imageIdentifier", "").startsWith("public.ecr.aws/") ? "ECR_PUBLIC" : "ECR");
            image.set("ImageConfiguration", values);
        } else {
            ObjectNode code = source.putObject("CodeRepository");
            code.put("RepositoryUrl", f.getOrDefault("repositoryUrl", "").trim());
            String branch = f.getOrDefault("branch", "").trim();
            code.putObject("SourceCodeVersion").put("Type", "BRANCH").put("Value", branch.isEmpty() ? "main" : branch);
            String runtime = f.getOrDefault("runtime", "").trim();
            ObjectNode configuration = code.putObject("CodeConfiguration");
            if (runtime.isEmpty()) {
                configuration.put("ConfigurationSource", "REPOSITORY"); // apprunner.yaml in the repository
            } else {
                configuration.put("ConfigurationSource", "API");
                values.put("Runtime", runtime);
                put(values, "BuildCommand", f.get("buildCommand"));
                configuration.set("CodeConfigurationValues", values);
            }
        }
        ObjectNode instance = Shapes.mapper().createObjectNode();
        put(instance, "Cpu", f.get("cpu"));
        put(instance, "Memory", f.get("memory"));
        if (!instance.isEmpty()) {
            in.set("InstanceConfiguration", instance);
        }
        return in;
    }

    private static void put(ObjectNode o, String member, String value) {
        if (value != null && !value.isBlank()) {
            o.put(member, value.strip());
        }
    }

    FullHttpResponse autoScaling(Console.Caller caller) {
        ApiGate.Answer a = call(caller, "ListAutoScalingConfigurations", input("MaxResults", 100));
        if (!a.ok()) {
            return refusedPage(caller, "Auto scaling configurations", a.message());
        }
        List<JsonNode> full = new ArrayList<>();
        for (JsonNode summary : a.output().path("AutoScalingConfigurationSummaryList")) {
            ApiGate.Answer d = call(caller, "DescribeAutoScalingConfiguration",
                    input("AutoScalingConfigurationArn", summary.path("AutoScalingConfigurationArn").asText()));
            full.add(d.ok() ? d.output().path("AutoScalingConfiguration") : summary);
        }
        return html(HttpResponseStatus.OK, ConsolePages.autoScaling(Shapes.mapper().valueToTree(full), caller.principal().name(), caller.csrf()));
    }

    private ApiGate.Answer call(Console.Caller caller, String action, ObjectNode in) {
        return gate.call(caller.principal(), caller.accessKeyId(), action, in, caller.from(), Console.USER_AGENT);
    }

    private boolean allows(Console.Caller caller, String action, ObjectNode in) {
        return gate.allows(caller.principal(), action, in, caller.from());
    }

    private static FullHttpResponse refusedPage(Console.Caller caller, String title, String why) {
        return html(HttpResponseStatus.FORBIDDEN, Html.page(title, caller.principal().name(), caller.csrf(), null,
                "<p class=\"error\" role=\"alert\" id=\"refused\">" + Html.esc(why) + "</p>"));
    }
}
