package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.model.SourceConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Code that embeds Slipway learns why an operation failed from the exception alone: reason and log tail. */
class OperationFailureTest {
    @TempDir
    Path tmp;

    @Test
    void aFailedOperationSaysWhyWithTheLastLinesOfItsDeploymentLog() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("app"));
        Files.writeString(app.resolve("apprunner.yaml"), "version: 1.0\nruntime: cobol85\nrun:\n  command: ./run\n");
        try (Slipway slipway = Slipway.builder().backend("fake").routerPort(-1).stateDir(tmp.resolve("state")).build()) {
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("broken")
                    .sourceConfiguration(SourceConfiguration.directory(app)).build());

            assertThatThrownBy(() -> created.operation().awaitSuccess(Duration.ofSeconds(30)))
                    .isInstanceOf(Operation.OperationFailedException.class)
                    .hasMessageContaining("CREATE_SERVICE operation " + created.operation().id() + " ended FAILED: ")
                    .hasMessageContaining("cobol85")
                    .hasMessageContaining("The last lines of its deployment log (deployment/" + created.operation().id() + "):")
                    .hasMessageContaining("[AppRunner] CREATE_SERVICE failed: ");
            assertThat(created.operation().log()).isNotEmpty().last().asString().startsWith("[AppRunner]");
        }
    }
}
