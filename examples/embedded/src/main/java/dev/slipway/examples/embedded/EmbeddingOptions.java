package dev.slipway.examples.embedded;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.model.CodeConfiguration;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.model.HealthCheckProtocol;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The builder settings and a service with the request records in full, as docs/user-guide.md ("Embedding") shows
 * them: compiled with the build so the guide's code stays true (it needs a real repository URL to run).
 */
public final class EmbeddingOptions {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingOptions.class);
    private EmbeddingOptions() {
    }

    static void deployOrders() throws InterruptedException, TimeoutException {
        // snippet:options
        try (Slipway slipway = Slipway.builder()
                .backend("local")          // the default
                .routerPort(0)             // 9080 by default; 0 = any free port; -1 = no router
                .stateDir(Path.of("/var/lib/myapp/slipway"))   // default: a temporary directory deleted by close()
                .logListener((service, stream, line) -> LOG.info("{} {}: {}", service, stream, line))
                .build()) {
            CreateServiceResponse r = slipway.createService(CreateServiceRequest.builder()
                    .serviceName("orders")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(
                            "https://git.example.com/orders.git", SourceCodeVersion.branch("main"),
                            CodeConfiguration.fromRepository(), "services/orders")))   // SourceDirectory for a monorepo
                    .healthCheckConfiguration(new HealthCheckConfiguration(HealthCheckProtocol.HTTP, "/health", 5, 2, 1, 3))
                    .tag("team", "payments")
                    .build());
            r.operation().awaitSuccess(Duration.ofMinutes(10));    // throws OperationFailedException with the reason
        }
        // end-snippet:options
    }
}
