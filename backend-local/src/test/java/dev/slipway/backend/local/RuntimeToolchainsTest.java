package dev.slipway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.model.Runtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
                .hasMessage("Runtime go1 needs 'go' on this host's PATH for the local backend, and it was not found. "
                        + "Install it (apt-get install golang) or use a backend that builds in containers (--backend docker).");
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
        assertThat(t.description()).contains("Python 3")
                .contains("Warning: python3 with runtime-version 3.7.7 asks for version 3.7.7, which this host does not have");
    }

    @Test
    void aJavaRuntimeUsesAnInstalledJdkOfItsVersionAndWarnsWhenThereIsNone() throws Exception {
        Path jvms = tmp.resolve("jvm");
        fakeJdk(jvms.resolve("java-17-openjdk-amd64"), "17.0.15");
        RuntimeToolchains only17 = new RuntimeToolchains(tmp.resolve("shims"), System.getenv("PATH"), jvms);
        RuntimeToolchains.Toolchain on17 = only17.resolve(Runtime.CORRETTO_11, Optional.empty());
        assertThat(on17.description()).contains("Warning: corretto11 asks for version 11, which this host does not have")
                .contains("--backend docker");

        Path jdk11 = fakeJdk(jvms.resolve("java-11-openjdk-amd64"), "11.0.24");
        RuntimeToolchains.Toolchain on11 = only17.resolve(Runtime.CORRETTO_11, Optional.empty());
        assertThat(on11.path()).startsWith(jdk11.resolve("bin") + ":");
        assertThat(on11.env()).containsEntry("JAVA_HOME", jdk11.toString());
        assertThat(on11.description()).contains("openjdk version \"11.0.24\"").doesNotContain("Warning");
        assertThat(only17.resolve(Runtime.CORRETTO_8, Optional.empty()).description()).contains("asks for version 8");
    }

    @Test
    void aNodeRuntimeUsesAnInstalledNodeOfItsVersionAndWarnsWhenThereIsNone() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("host-bin"));
        script(bin.resolve("node"), "echo v20.19.2");
        Path nvm = tmp.resolve("nvm/versions/node");
        Path tarballs = tmp.resolve("usr-local-lib-nodejs");
        RuntimeToolchains toolchains = new RuntimeToolchains(tmp.resolve("shims"), bin.toString(), tmp.resolve("jvm"),
                List.of(tarballs, nvm));
        assertThat(toolchains.resolve(Runtime.NODEJS_18, Optional.empty()).description())
                .contains("v20.19.2").contains("Warning: nodejs18 asks for version 18, which this host does not have");

        script(Files.createDirectories(nvm.resolve("v18.2.0/bin")).resolve("node"), "echo v18.2.0");
        Path newest = Files.createDirectories(tarballs.resolve("node-v18.19.1-linux-x64/bin"));
        script(newest.resolve("node"), "echo v18.19.1");
        script(Files.createDirectories(nvm.resolve("v16.20.2/bin")).resolve("node"), "echo v16.20.2");
        RuntimeToolchains.Toolchain on18 = toolchains.resolve(Runtime.NODEJS_18, Optional.empty());
        assertThat(on18.path()).startsWith(newest + ":");
        assertThat(on18.description()).contains("v18.19.1").doesNotContain("Warning");
        assertThat(toolchains.resolve(Runtime.NODEJS_22, Optional.of("16")).description()).contains("v16.20.2")
                .doesNotContain("Warning");
        assertThat(toolchains.resolve(Runtime.NODEJS_12, Optional.empty()).description()).contains("asks for version 12");
    }

    @Test
    void aPythonOfTheVersionAskedForIsUsedWhereTheHostHasItBesideAnother() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("pythons"));
        script(bin.resolve("python3"), "echo 'Python 3.9.2'");
        script(bin.resolve("python3.11"), "echo 'Python 3.11.9'");
        RuntimeToolchains two = new RuntimeToolchains(tmp.resolve("shims"), bin.toString());

        RuntimeToolchains.Toolchain t = two.resolve(Runtime.PYTHON_311, Optional.empty());
        assertThat(t.description()).contains("python3.11: Python 3.11.9").doesNotContain("Warning");
        assertThat(t.path()).startsWith(tmp.resolve("shims/python3.11") + ":");
        assertThat(Files.readSymbolicLink(tmp.resolve("shims/python3.11/python3"))).isEqualTo(bin.resolve("python3.11"));
        assertThat(two.resolve(Runtime.PYTHON_3, Optional.of("3.11.2")).description()).contains("Python 3.11.9");
        assertThat(two.resolve(Runtime.PYTHON_3, Optional.empty()).description()).contains("Python 3.9.2");
        assertThat(two.resolve(Runtime.PYTHON_3, Optional.of("3.12")).description())
                .contains("Python 3.9.2").contains("asks for version 3.12, which this host does not have");
    }

    private static void script(Path file, String body) throws Exception {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        file.toFile().setExecutable(true);
    }

    @Test
    void versionsMatchByTheirLeadingNumbers() {
        assertThat(RuntimeToolchains.matches("java", "openjdk version \"1.8.0_402\"", "8")).isTrue();
        assertThat(RuntimeToolchains.matches("java", "openjdk version \"17.0.15\" 2025-04-15", "17")).isTrue();
        assertThat(RuntimeToolchains.matches("java", "openjdk version \"17.0.15\"", "1")).isFalse();
        assertThat(RuntimeToolchains.matches("node", "v18.19.0", "18")).isTrue();
        assertThat(RuntimeToolchains.matches("node", "v20.19.2", "18")).isFalse();
        assertThat(RuntimeToolchains.matches("python3", "Python 3.11.2", "3.11")).isTrue();
        assertThat(RuntimeToolchains.matches("python3", "Python 3.11.2", "3.1")).isFalse();
        assertThat(RuntimeToolchains.matches("python3", "version unknown", "3.11")).isFalse();
    }

    /** A JDK directory as Debian installs them: a release file and a bin/java that says its version. */
    private static Path fakeJdk(Path dir, String version) throws Exception {
        Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        Path java = dir.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"" + version + "\" 2025-01-01' >&2\n");
        java.toFile().setExecutable(true);
        return dir;
    }
}
