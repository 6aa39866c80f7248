package dev.slipway.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.model.Shapes;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slipway webhook}: the push webhook of a service with AutoDeploymentsEnabled, to give GitHub, GitLab, Gitea or a registry. */
@Command(name = "webhook", mixinStandardHelpOptions = true,
        header = "Show a service's push webhook: its URL and secret.",
        description = "The push webhook of a service on a running 'slipway server': what to enter in GitHub, GitLab, Gitea "
                + "or a Docker registry's notifications so a push deploys at once (services with AutoDeploymentsEnabled; "
                + "without a webhook, the server polls every --poll-interval seconds).",
        subcommands = WebhookCommand.Show.class)
final class WebhookCommand {

    /** {@code slipway webhook show}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            header = "Print a service's webhook URL and secret, and how to enter them at each provider.",
            description = {"Prints the URL of the service's webhook on the server's API port and the secret calls must be "
                    + "signed with (made on the first call, kept with the service; --rotate makes a new one, after which "
                    + "calls signed with the old one are refused with 401). Replace the host of the URL with the name "
                    + "the provider reaches the server by.",
                "",
                "Example:",
                "  slipway webhook show --service-arn $ARN"})
    static final class Show implements Callable<Integer> {
        @Option(names = "--service-arn", required = true, description = "The service.")
        String serviceArn;

        @Option(names = "--rotate", description = "Make a new secret (the old one stops working at once).")
        boolean rotate;

        @Mixin
        ServerApiOptions server;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String body = Shapes.mapper().createObjectNode().put("ServiceArn", serviceArn).put("RotateSecret", rotate).toString();
            Optional<JsonNode> answer = server.post("webhook show", "Slipway.DescribeWebhook", body, err);
            if (answer.isEmpty()) {
                return 2;
            }
            String url = server.endpoint.resolve(answer.get().path("WebhookPath").asText()).toString();
            String secret = answer.get().path("Secret").asText();
            out.println("URL:    " + url);
            out.println("Secret: " + secret);
            out.println();
            out.println("GitHub, Gitea: Settings > Webhooks > Add webhook: Payload URL = the URL, Content type application/json,");
            out.println("  Secret = the secret, event: push.");
            out.println("GitLab: Settings > Webhooks: URL = the URL, Secret token = the secret, trigger: Push events.");
            out.println("Docker registry (config.yml):");
            out.println("  notifications:");
            out.println("    endpoints:");
            out.println("      - name: slipway");
            out.println("        url: " + url);
            out.println("        headers: {Authorization: [Bearer " + secret + "]}");
            return 0;
        }
    }
}
