package dev.slipway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.model.Runtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Managed runtimes resolve to the host's toolchain, or fail saying what to install. */
class RuntimeToolchainsTest {
    @TempDir
    Path tmp;

    @Test
    void missingToolchainFailsNamingTheExecutableAndHowToInstallIt() {
        RuntimeToolchains none = new RuntimeToolchains(tmp.resolve("shims"), tmp.resolve("empty-bin").toString());
        assertThatThrownBy(() -> none.resolve(Runtime.GO_1, Optional.empty()))
                .isInstanceOf(BuildFailedException.class)
                .hasMessage("Runtime GO_1 needs 'go' on this host's PATH for the local backend, and it was not found. "
                        + "Install it (apt-get install golang) or use a backend that builds in containers.");
        assertThatThrownBy(() -> none.resolve(Runtime.NODEJS_22, Optional.empty())).hasMessageContaining("'node'");
    }

    @Test
    void pythonGetsPythonAndPipShimsWhenTheHostHasOnlyPython3() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path python3 = RuntimeToolchains.which("python3", System.getenv("PATH")).orElseThrow();
        Files.createSymbolicLink(bin.resolve("python3"), python3);
        RuntimeToolchains onlyPython3 = new RuntimeToolchains(tmp.resolve("shims"), bin.toString());

        RuntimeToolchains.Toolchain t = onlyPython3.resolve(Runtime.PYTHON_3, Optional.of("3.7.7"));

        assertThat(t.path()).startsWith(tmp.resolve("shims") + ":");
        assertThat(tmp.resolve("shims/python")).exists();
        assertThat(tmp.resolve("shims/pip")).isExecutable();
        assertThat(t.description()).contains("Python 3").contains("runtime-version 3.7.7 was asked for");
    }
}
