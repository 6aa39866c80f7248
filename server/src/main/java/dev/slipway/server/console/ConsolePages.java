package dev.slipway.server.console;

import static dev.slipway.server.console.Html.csrfField;
import static dev.slipway.server.console.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** The console's screens as HTML, from what the API's calls answered (their JSON, as the AWS CLI shows it). */
final class ConsolePages {
    private ConsolePages() {
    }

    /** One row of the service list. */
    record Row(String name, String arn, String status, String url, String lastDeployment, double requestsPerMinute, String instances) {
    }

    static String signIn(String error) {
        return Html.page("Sign in", null, null, null, (error == null ? "" : "<p class=\"error\" role=\"alert\" id=\"sign-in-error\">"
                + esc(error) + "</p>") + """
                <form method="post" action="/console/sign-in" class="card narrow">
                <p>Sign in with the access key of a principal (<code>slipway server --principals</code>), or the server's own key pair.</p>
                <label for="accessKeyId">Access key ID</label>
                <input id="accessKeyId" name="accessKeyId" required autocomplete="username" spellcheck="false">
                <label for="secretAccessKey">Secret access key</label>
                <input id="secretAccessKey" name="secretAccessKey" type="password" required autocomplete="current-password">
                <button type="submit" class="primary">Sign in</button>
                </form>""");
    }

    static String services(List<Row> rows, boolean canCreate, String principal, String csrf, String flash) {
        StringBuilder b = new StringBuilder();
        if (canCreate) {
            b.append("<p><a class=\"button primary\" id=\"create\" href=\"/console/create\">Create service</a></p>");
        }
        b.append("<table class=\"services\" data-live=\"/console/live/services\"><caption>")
                .append(rows.size()).append(" service").append(rows.size() == 1 ? "" : "s").append(", updated live</caption>")
                .append("<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Status</th><th scope=\"col\">URL</th>")
                .append("<th scope=\"col\">Last deployment</th><th scope=\"col\">Requests/min</th><th scope=\"col\">Active instances</th>")
                .append("</tr></thead><tbody id=\"service-rows\">");
        for (Row r : rows) {
            b.append(row(r));
        }
        return Html.page("Services", principal, csrf, flash, b.append("</tbody></table>").toString());
    }

    static String row(Row r) {
        return "<tr data-service=\"" + esc(r.name()) + "\"><th scope=\"row\"><a href=\"/console/services/" + esc(r.name()) + "\">"
                + esc(r.name()) + "</a></th><td><span class=\"status " + esc(r.status()) + "\">" + esc(r.status()) + "</span></td>"
                + "<td><a href=\"" + esc(r.url()) + "\" rel=\"noopener\">" + esc(r.url()) + "</a></td><td>" + esc(r.lastDeployment())
                + "</td><td class=\"num\">" + Math.round(r.requestsPerMinute()) + "</td><td class=\"num\">" + esc(r.instances()) + "</td></tr>";
    }

    /** What the service page may offer: each button only if the principal may make its call. */
    record Allowed(boolean deploy, boolean pause, boolean resume, boolean delete) {
        boolean any() {
            return deploy || pause || resume || delete;
        }
    }

    static String service(JsonNode service, JsonNode operations, JsonNode domains, Allowed allowed, String principal, String csrf,
                          String flash) {
        String name = service.path("ServiceName").asText();
        String status = service.path("Status").asText();
        String url = "http://" + service.path("ServiceUrl").asText();
        StringBuilder b = new StringBuilder();
        b.append("<section class=\"summary card\" data-live=\"/console/services/").append(esc(name)).append("/live\">")
                .append("<dl><dt>Status</dt><dd><span id=\"status\" class=\"status ").append(esc(status)).append("\">")
                .append(esc(status)).append("</span></dd><dt>Default domain</dt><dd><a id=\"url\" href=\"").append(esc(url))
                .append("\" rel=\"noopener\">").append(esc(url)).append("</a></dd><dt>ARN</dt><dd><code>")
                .append(esc(service.path("ServiceArn").asText())).append("</code></dd><dt>Active instances</dt><dd id=\"instances\">–</dd></dl>");
        if (allowed.any()) {
            b.append("<div class=\"actions\">");
            action(b, allowed.deploy(), name, "deploy", "Deploy", csrf);
            action(b, allowed.pause() && status.equals("RUNNING"), name, "pause", "Pause", csrf);
            action(b, allowed.resume() && status.equals("PAUSED"), name, "resume", "Resume", csrf);
            b.append("</div>");
        }
        b.append("</section>");
        b.append("<section><h2>Metrics</h2><p class=\"hint\">The last ten minutes, every ").append(MetricsHistory.INTERVAL_SECONDS)
                .append(" s, from the meters of <code>/metrics</code>.</p><div class=\"charts\" id=\"charts\">");
        for (String[] chart : new String[][] {{"requests", "Requests"}, {"statuses", "2xx / 4xx / 5xx responses"},
                {"latency", "Latency p50 / p99 (ms)"}, {"instances", "Active instances"}, {"cpu", "CPU (%)"}, {"memory", "Memory (%)"}}) {
            b.append("<figure><figcaption>").append(chart[1]).append("</figcaption><svg id=\"chart-").append(chart[0])
                    .append("\" role=\"img\" aria-label=\"").append(chart[1]).append("\" viewBox=\"0 0 300 100\" preserveAspectRatio=\"none\"></svg>")
                    .append("<output id=\"last-").append(chart[0]).append("\"></output></figure>");
        }
        b.append("</div></section>");
        b.append("<section><h2>Logs</h2><div class=\"logs\">")
                .append("<div><h3>Events</h3><pre id=\"log-events\" tabindex=\"0\" aria-live=\"polite\"></pre></div>")
                .append("<div><h3>Deployment log</h3><pre id=\"log-deployment\" tabindex=\"0\"></pre></div>")
                .append("<div><h3>Application log</h3><pre id=\"log-application\" tabindex=\"0\"></pre></div></div></section>");
        b.append("<section><h2>Operations</h2><table><thead><tr><th scope=\"col\">Type</th><th scope=\"col\">Status</th>")
                .append("<th scope=\"col\">Started</th><th scope=\"col\">Ended</th><th scope=\"col\">ID</th></tr></thead><tbody id=\"operations\">");
        for (JsonNode op : operations) {
            b.append(operation(op));
        }
        b.append("</tbody></table></section>");
        b.append(configuration(service));
        b.append("<section><h2>Custom domains</h2>");
        if (domains == null || domains.isEmpty()) {
            b.append("<p>None. <code>aws apprunner associate-custom-domain</code> adds one.</p>");
        } else {
            b.append("<table><thead><tr><th scope=\"col\">Domain</th><th scope=\"col\">Status</th><th scope=\"col\">Validation records</th></tr></thead><tbody>");
            for (JsonNode d : domains) {
                b.append("<tr><td>").append(esc(d.path("DomainName").asText())).append("</td><td>").append(esc(d.path("Status").asText()))
                        .append("</td><td>");
                for (JsonNode r : d.path("CertificateValidationRecords")) {
                    b.append("<code>").append(esc(r.path("Name").asText())).append(' ').append(esc(r.path("Type").asText())).append(' ')
                            .append(esc(r.path("Value").asText())).append("</code> (").append(esc(r.path("Status").asText())).append(")<br>");
                }
                b.append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        b.append("</section>");
        if (allowed.delete()) {
            b.append("<section class=\"danger card\"><h2>Delete service</h2><form method=\"post\" action=\"/console/services/")
                    .append(esc(name)).append("/delete\">").append(csrfField(csrf))
                    .append("<label for=\"confirm\">To delete, type the service's name, <strong>").append(esc(name)).append("</strong></label>")
                    .append("<input id=\"confirm\" name=\"confirm\" autocomplete=\"off\" spellcheck=\"false\" required>")
                    .append("<button type=\"submit\" class=\"danger\" id=\"delete\">Delete</button></form></section>");
        }
        return Html.page(name, principal, csrf, flash, b.toString());
    }

    private static void action(StringBuilder b, boolean shown, String name, String action, String label, String csrf) {
        if (shown) {
            b.append("<form method=\"post\" action=\"/console/services/").append(esc(name)).append('/').append(action).append("\">")
                    .append(csrfField(csrf)).append("<button type=\"submit\" id=\"").append(action).append("\">").append(label)
                    .append("</button></form>");
        }
    }

    static String operation(JsonNode op) {
        return "<tr><td>" + esc(op.path("Type").asText()) + "</td><td><span class=\"status " + esc(op.path("Status").asText()) + "\">"
                + esc(op.path("Status").asText()) + "</span></td><td>" + esc(time(op.path("StartedAt"))) + "</td><td>"
                + esc(time(op.path("EndedAt"))) + "</td><td><code>" + esc(op.path("Id").asText()) + "</code></td></tr>";
    }

    /** A time as the API answers it (epoch seconds, or text), shown in UTC to the second. */
    static String time(JsonNode t) {
        if (t == null || t.isMissingNode() || t.isNull()) {
            return "";
        }
        if (t.isNumber()) {
            return java.time.Instant.ofEpochMilli((long) (t.asDouble() * 1000)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    .toString().replace('T', ' ').replace("Z", " UTC");
        }
        return t.asText();
    }

    /** The service's settings; secrets only as "set". */
    private static String configuration(JsonNode service) {
        StringBuilder b = new StringBuilder("<section><h2>Configuration</h2><dl class=\"config\">");
        JsonNode source = service.path("SourceConfiguration");
        JsonNode image = source.path("ImageRepository");
        JsonNode code = source.path("CodeRepository");
        JsonNode values;
        if (!image.isMissingNode()) {
            dt(b, "Source", "Image " + image.path("ImageIdentifier").asText() + " (" + image.path("ImageRepositoryType").asText() + ")");
            values = image.path("ImageConfiguration");
        } else {
            dt(b, "Source", code.path("RepositoryUrl").asText() + ", branch " + code.path("SourceCodeVersion").path("Value").asText());
            dt(b, "Configuration source", code.path("CodeConfiguration").path("ConfigurationSource").asText());
            values = code.path("CodeConfiguration").path("CodeConfigurationValues");
            dt(b, "Runtime", values.path("Runtime").asText());
            dt(b, "Build command", values.path("BuildCommand").asText());
        }
        dt(b, "Start command", values.path("StartCommand").asText());
        dt(b, "Port", values.path("Port").asText());
        dt(b, "Automatic deployments", source.path("AutoDeploymentsEnabled").asBoolean() ? "on" : "off");
        dt(b, "CPU / memory", service.path("InstanceConfiguration").path("Cpu").asText() + " / "
                + service.path("InstanceConfiguration").path("Memory").asText());
        JsonNode health = service.path("HealthCheckConfiguration");
        dt(b, "Health check", health.path("Protocol").asText() + " " + health.path("Path").asText(""));
        dt(b, "Auto scaling", service.path("AutoScalingConfigurationSummary").path("AutoScalingConfigurationName").asText()
                + " (revision " + service.path("AutoScalingConfigurationSummary").path("AutoScalingConfigurationRevision").asText() + ")");
        b.append("<dt>Environment variables</dt><dd>");
        values.path("RuntimeEnvironmentVariables").fields().forEachRemaining(e ->
                b.append("<code>").append(esc(e.getKey())).append('=').append(esc(e.getValue().asText())).append("</code><br>"));
        b.append("</dd><dt>Secrets</dt><dd id=\"secrets\">");
        values.path("RuntimeEnvironmentSecrets").fieldNames().forEachRemaining(k ->
                b.append("<code>").append(esc(k)).append("</code> set<br>"));
        return b.append("</dd></dl></section>").toString();
    }

    private static void dt(StringBuilder b, String term, String value) {
        b.append("<dt>").append(esc(term)).append("</dt><dd>").append(esc(value)).append("</dd>");
    }

    /** A field of the create form: its label, input, model constraints as attributes, and its error next to it. */
    record Field(String name, String label, String path, String attributes, String hint) {
    }

    static final List<Field> CREATE_FIELDS = List.of(
            new Field("serviceName", "Service name", "serviceName",
                    "required minlength=\"4\" maxlength=\"40\" pattern=\"[A-Za-z0-9][A-Za-z0-9\\-_]{3,39}\"",
                    "4 to 40 letters, digits, hyphens and underscores, starting with a letter or digit"),
            new Field("imageIdentifier", "Image", "sourceConfiguration.imageRepository.imageIdentifier", "maxlength=\"1024\"",
                    "For an image service: e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest"),
            new Field("repositoryUrl", "Repository URL", "sourceConfiguration.codeRepository.repositoryUrl", "maxlength=\"51200\"",
                    "For a source code service: a Git URL or an allowed local directory"),
            new Field("branch", "Branch", "sourceConfiguration.codeRepository.sourceCodeVersion", "", "Default: main"),
            new Field("runtime", "Runtime", "codeConfigurationValues.runtime", "", "With the configuration set here (not apprunner.yaml): e.g. PYTHON_3"),
            new Field("buildCommand", "Build command", "codeConfigurationValues.buildCommand", "", ""),
            new Field("startCommand", "Start command", "startCommand", "", ""),
            new Field("port", "Port", "port", "maxlength=\"51200\"", "Default: 8080"),
            new Field("cpu", "CPU", "instanceConfiguration.cpu", "pattern=\"256|512|1024|2048|4096|(0.25|0.5|1|2|4) vCPU\"", "Default: 1 vCPU"),
            new Field("memory", "Memory", "instanceConfiguration.memory",
                    "pattern=\"512|1024|2048|3072|4096|6144|8192|10240|12288|(0.5|1|2|3|4|6|8|10|12) GB\"", "Default: 2 GB"),
            new Field("environment", "Environment variables", "runtimeEnvironmentVariables", "", "One KEY=value per line"));

    static String create(Map<String, String> values, Map<String, String> errors, String general, String principal, String csrf) {
        StringBuilder b = new StringBuilder();
        if (general != null) {
            b.append("<p class=\"error\" role=\"alert\" id=\"form-error\">").append(esc(general)).append("</p>");
        }
        b.append("<form method=\"post\" action=\"/console/create\" class=\"card\" novalidate>").append(csrfField(csrf));
        String source = values.getOrDefault("source", "code");
        b.append("<fieldset><legend>Source</legend>")
                .append("<label><input type=\"radio\" name=\"source\" value=\"code\"").append(source.equals("code") ? " checked" : "")
                .append("> Source code repository</label><label><input type=\"radio\" name=\"source\" value=\"image\"")
                .append(source.equals("image") ? " checked" : "").append("> Container image</label></fieldset>");
        for (Field f : CREATE_FIELDS) {
            String id = f.name();
            String error = errors.get(f.name());
            b.append("<div class=\"field").append(error != null ? " invalid" : "").append("\"><label for=\"").append(id).append("\">")
                    .append(esc(f.label())).append("</label>");
            String described = (f.hint().isEmpty() ? "" : id + "-hint") + (error != null ? " " + id + "-error" : "");
            if (f.name().equals("environment")) {
                b.append("<textarea id=\"").append(id).append("\" name=\"").append(id).append("\" rows=\"3\"");
            } else {
                b.append("<input id=\"").append(id).append("\" name=\"").append(id).append("\" ").append(f.attributes())
                        .append(" value=\"").append(esc(values.getOrDefault(id, ""))).append("\"");
            }
            if (!described.isBlank()) {
                b.append(" aria-describedby=\"").append(described.trim()).append("\"");
            }
            if (error != null) {
                b.append(" aria-invalid=\"true\"");
            }
            b.append(f.name().equals("environment") ? ">" + esc(values.getOrDefault(id, "")) + "</textarea>" : ">");
            if (!f.hint().isEmpty()) {
                b.append("<small id=\"").append(id).append("-hint\">").append(esc(f.hint())).append("</small>");
            }
            if (error != null) {
                b.append("<p class=\"error\" id=\"").append(id).append("-error\">").append(esc(error)).append("</p>");
            }
            b.append("</div>");
        }
        b.append("<label class=\"check\"><input type=\"checkbox\" name=\"autoDeployments\" value=\"true\"")
                .append("true".equals(values.get("autoDeployments")) ? " checked" : "")
                .append("> Deploy automatically on each push (or new image)</label>")
                .append("<button type=\"submit\" class=\"primary\" id=\"submit\">Create service</button></form>");
        return Html.page("Create service", principal, csrf, null, b.toString());
    }

    static String autoScaling(JsonNode configurations, String principal, String csrf) {
        StringBuilder b = new StringBuilder("<table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Revision</th>")
                .append("<th scope=\"col\">Status</th><th scope=\"col\">Default</th><th scope=\"col\">Services</th></tr></thead><tbody>");
        for (JsonNode c : configurations) {
            b.append("<tr><td>").append(esc(c.path("AutoScalingConfigurationName").asText())).append("</td><td>")
                    .append(esc(c.path("AutoScalingConfigurationRevision").asText())).append("</td><td>").append(esc(c.path("Status").asText()))
                    .append("</td><td>").append(c.path("IsDefault").asBoolean() ? "yes" : "").append("</td><td>")
                    .append(c.path("HasAssociatedService").asBoolean() ? "in use" : "").append("</td></tr>");
        }
        b.append("</tbody></table><p class=\"hint\">Create and change them with <code>aws apprunner create-auto-scaling-configuration</code>.</p>");
        return Html.page("Auto scaling configurations", principal, csrf, null, b.toString());
    }
}
