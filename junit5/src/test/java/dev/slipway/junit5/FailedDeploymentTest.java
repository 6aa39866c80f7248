package dev.slipway.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.ListServicesRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A service that cannot deploy fails the test with why, and leaves nothing behind on the shared engine. */
class FailedDeploymentTest {
    @TempDir
    Path tmp;

    @Test
    void aFailedBuildSaysWhyAndItsServiceIsDeleted() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(app.resolve("apprunner.yaml"), """
                version: 1.0
                runtime: python3
                build:
                  commands:
                    build:
                      - echo compiling the broken app && exit 3
                run:
                  command: python3 -m http.server $PORT
                """);
        try (Slipway slipway = Slipway.builder().routerPort(0).directPorts(true).stateDir(tmp.resolve("state")).build()) {
            ServiceDefinition broken = new ServiceDefinition(app.toString(), "main", null, "", Map.of(), "local", Wait.running());

            assertThatThrownBy(() -> broken.deploy(slipway))
                    .hasMessageContaining("CREATE_SERVICE operation")
                    .hasMessageContaining("The last lines of its deployment log")
                    .hasMessageContaining("compiling the broken app");
            assertThat(slipway.listServices(new ListServicesRequest(null, null)).serviceSummaryList()).isEmpty();
        }
    }
}
