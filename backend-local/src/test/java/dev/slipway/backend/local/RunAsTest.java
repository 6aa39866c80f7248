package dev.slipway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.model.CodeConfiguration;
import dev.slipway.core.model.CodeConfigurationValues;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.Runtime;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.testing.TestApps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control plane running as root (as here and in CI) runs builds and apps as an unprivileged account, in workspaces
 * that account owns, without the server's environment, and that account cannot read the state directory (logs,
 * sources and state of every service).
 */
class RunAsTest {
    @TempDir
    Path tmp;

    @Test
    void buildsAndInstancesRunAsTheUnprivilegedAccountInAWorkspaceItOwns() throws Exception {
        assertThat(RunAs.jvmIsRoot()).as("these tests run as root, as CI does").isTrue();
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        Files.delete(app.resolve("apprunner.yaml"));
        // the state directory's parent is open to every account (as a home directory often is): only its own mode guards it
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path state = tmp.resolve("state");
        try (Slipway slipway = Slipway.builder().routerPort(-1).stateDir(state)
                .backendSetting("local.run-as", RunAs.DEFAULT_USER).build()) {
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("unprivileged")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"),
                            CodeConfiguration.fromApi(new CodeConfigurationValues(Runtime.PYTHON_3,
                                    "echo \"built by $(id -un) in $(stat -c %U .), home $HOME, secret ${SLIPWAY_SECRET_ACCESS_KEY:-unset}\"",
                                    "echo \"running as $(id -un)\"; test -r /root/.bashrc && echo root-readable; "
                                            + "ls \"$STATE\" > /dev/null 2>&1 && echo state-readable; echo checks-done; exec python server.py",
                                    null, Map.of("NAME", "Jane", "STATE", state.toString()), null)), null)))
                    .build());
            created.operation().awaitSuccess(Duration.ofMinutes(2));
            assertThat(slipway.logLines("unprivileged", "deployment/" + created.operationId()))
                    .anyMatch(l -> l.contains("built by slipway-app in slipway-app, home /var/lib/slipway/apps/") && l.endsWith("secret unset"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> instanceOutput(slipway).contains("checks-done"));
            assertThat(instanceOutput(slipway)).contains("running as slipway-app");
            assertThat(instanceOutput(slipway)).doesNotContain("root-readable").doesNotContain("state-readable");
            assertThat(Files.getPosixFilePermissions(state)).isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static String instanceOutput(Slipway slipway) {
        return slipway.routes().routes().values().stream().flatMap(r -> r.endpoints().stream())
                .flatMap(e -> slipway.logLines("unprivileged", "instance/" + e.instanceId()).stream())
                .reduce("", (a, b) -> a + "\n" + b);
    }
}
