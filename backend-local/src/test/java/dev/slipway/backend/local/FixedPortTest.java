package dev.slipway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.Slipway;
import dev.slipway.core.Timeouts;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.model.CodeConfiguration;
import dev.slipway.core.model.CodeConfigurationValues;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.Runtime;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An app with a fixed port fails within seconds, saying which port it listens on, not after the 90 s startup timeout. */
class FixedPortTest {
    @TempDir
    Path tmp;

    @Test
    void anAppListeningOnAFixedPortFailsFastNamingThePort() throws Exception {
        int fixed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fixed = s.getLocalPort();
        }
        Path app = tmp.resolve("app");
        Files.createDirectories(app);
        Files.writeString(app.resolve("index.html"), "hello");
        Timeouts tenMinutesToStart = new Timeouts(Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(5));
        try (Slipway slipway = Slipway.builder().routerPort(-1).stateDir(tmp.resolve("state")).timeouts(tenMinutesToStart).build()) {
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("fixed-port")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"),
                            CodeConfiguration.fromApi(new CodeConfigurationValues(Runtime.PYTHON_3, null,
                                    "python3 -m http.server " + fixed + " --bind 127.0.0.1", Integer.toString(fixed), null, null)), null)))
                    .build());
            // the startup timeout is ten minutes: failing at all within the wait proves the port was noticed
            assertThat(created.operation().await(Duration.ofMinutes(2)).status()).isEqualTo(OperationStatus.FAILED);
            assertThat(created.operation().failureReason()).get().asString()
                    .contains("listens on port " + fixed + ", not on port")
                    .contains("must listen on the port given in the PORT environment variable");
            java.util.function.Supplier<java.util.List<String>> logs = () -> java.util.stream.Stream.concat(
                    slipway.logLines("fixed-port", "deployment/" + created.operationId()).stream(),
                    slipway.logLines("fixed-port", "events").stream()).toList();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> logs.get().stream()
                    .anyMatch(l -> l.contains("Stopped 1 instance")));
            assertThat(logs.get()).as("no set replaced the one a failed creation stopped").noneMatch(l -> l.contains("previous set"));
        }
    }
}
