package dev.slipway.server;

import dev.slipway.core.model.Shapes;
import java.io.PrintWriter;
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
                "  slipway domain renew --service-arn $ARN --domain-name example.com"})
    static final class Renew implements Callable<Integer> {
        @Option(names = "--service-arn", required = true, description = "The service the domain is associated with.")
        String serviceArn;

        @Option(names = "--domain-name", required = true, description = "The custom domain, as associated (example.com, *.example.com).")
        String domainName;

        @Mixin
        ServerApiOptions server;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String body = Shapes.mapper().createObjectNode().put("ServiceArn", serviceArn).put("DomainName", domainName).toString();
            if (server.post("domain renew", "Slipway.RenewCertificate", body, err).isEmpty()) {
                return 2;
            }
            out.println("Renewing the certificate of " + domainName + "; the service's events say when it is issued");
            return 0;
        }
    }
}
