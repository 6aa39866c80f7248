package dev.slipway.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.model.Shapes;
import dev.slipway.server.api.ApiClient;
import dev.slipway.server.api.ApiCredentials;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slipway domain}: what App Runner does by itself for custom domains, on demand, against a running server. */
@Command(name = "domain", mixinStandardHelpOptions = true,
        header = "Custom domains on a running server: renew a certificate now.",
        description = "Custom domains on a running 'slipway server' (associate them with 'aws apprunner associate-custom-domain').",
        subcommands = DomainCommand.Renew.class)
final class DomainCommand {

    /** {@code slipway domain renew}: a new certificate for an ACTIVE domain now, instead of when a third of its lifetime is left. */
    @Command(name = "renew", mixinStandardHelpOptions = true,
            header = "Renew an ACTIVE custom domain's certificate now.",
            description = {"Order a new certificate for an ACTIVE custom domain now (Slipway renews by itself when a third "
                    + "of a certificate's lifetime is left). The current certificate serves until the new one is issued, "
                    + "then new connections get the new one; the service's events say when (slipway logs SERVICE).",
                "",
                "Example:",
                "  slipway domain renew --service-arn arn:aws:apprunner:us-east-1:000000000000:service/shop/... --domain-name example.com"})
    static final class Renew implements Callable<Integer> {
        @Option(names = "--service-arn", required = true, description = "The service the domain is associated with.")
        String serviceArn;

        @Option(names = "--domain-name", required = true, description = "The custom domain, as associated (example.com, *.example.com).")
        String domainName;

        @Option(names = "--endpoint-url", description = "The server's API (default: ${DEFAULT-VALUE}).", defaultValue = "http://127.0.0.1:8484")
        URI endpoint;

        @Mixin
        StateDirOption stateDir;

        @Option(names = "--region", description = "Region the server signs for (default: ${DEFAULT-VALUE}).", defaultValue = "us-east-1")
        String region;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Optional<ApiCredentials> credentials = ApiCredentials.find(System.getenv(), stateDir.path);
            if (credentials.isEmpty()) {
                err.println("slipway domain renew: no credentials: set SLIPWAY_ACCESS_KEY_ID and SLIPWAY_SECRET_ACCESS_KEY, "
                        + "or give the server's --state-dir");
                return 2;
            }
            String body = Shapes.mapper().createObjectNode().put("ServiceArn", serviceArn).put("DomainName", domainName).toString();
            HttpResponse<String> response;
            try {
                response = new ApiClient(endpoint.resolve("/"), credentials.get(), region).post("Slipway.RenewCertificate", body);
            } catch (java.net.ConnectException e) {
                err.println("slipway domain renew: no Slipway server answers at " + endpoint + "; start one with 'slipway server'");
                return 2;
            }
            if (response.statusCode() != 200) {
                JsonNode json = Shapes.mapper().readTree(response.body());
                err.println("slipway domain renew: " + json.path("__type").asText() + ": " + json.path("Message").asText());
                return 2;
            }
            out.println("Renewing the certificate of " + domainName + "; the service's events say when it is issued");
            return 0;
        }
    }
}
