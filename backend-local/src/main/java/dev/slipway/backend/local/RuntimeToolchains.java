package dev.slipway.backend.local;

import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.model.Runtime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Resolves a managed runtime to the toolchain installed on this host, which the local backend builds and runs with.
 * Where the guide's commands say {@code python} or {@code pip} and the host only has {@code python3}, a shim
 * directory put first on the PATH supplies them.
 */
final class RuntimeToolchains {
    /** The executable each runtime needs, and how to install it on Debian. */
    private record Need(String executable, String version, String install) {
    }

    private static final Map<Runtime, Need> NEEDS = Map.ofEntries(
            Map.entry(Runtime.PYTHON_3, new Need("python3", "--version", "apt-get install python3")),
            Map.entry(Runtime.PYTHON_311, new Need("python3", "--version", "apt-get install python3")),
            Map.entry(Runtime.NODEJS_12, new Need("node", "--version", "apt-get install nodejs npm")),
            Map.entry(Runtime.NODEJS_14, new Need("node", "--version", "apt-get install nodejs npm")),
            Map.entry(Runtime.NODEJS_16, new Need("node", "--version", "apt-get install nodejs npm")),
            Map.entry(Runtime.NODEJS_18, new Need("node", "--version", "apt-get install nodejs npm")),
            Map.entry(Runtime.NODEJS_22, new Need("node", "--version", "apt-get install nodejs npm")),
            Map.entry(Runtime.CORRETTO_8, new Need("java", "-version", "apt-get install default-jdk")),
            Map.entry(Runtime.CORRETTO_11, new Need("java", "-version", "apt-get install default-jdk")),
            Map.entry(Runtime.GO_1, new Need("go", "version", "apt-get install golang")),
            Map.entry(Runtime.DOTNET_6, new Need("dotnet", "--version", "install the .NET SDK")),
            Map.entry(Runtime.PHP_81, new Need("php", "--version", "apt-get install php-cli")),
            Map.entry(Runtime.RUBY_31, new Need("ruby", "--version", "apt-get install ruby")));

    /** A resolved toolchain: the PATH to run with and a line describing it. */
    record Toolchain(String path, String description) {
    }

    private final Path shimDir;
    private final String hostPath;

    RuntimeToolchains(Path shimDir) {
        this(shimDir, Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin"));
    }

    /** With an explicit host PATH to search, for tests. */
    RuntimeToolchains(Path shimDir, String hostPath) {
        this.shimDir = shimDir;
        this.hostPath = hostPath;
    }

    Toolchain resolve(Runtime runtime, Optional<String> requestedVersion) throws BuildFailedException {
        Need need = NEEDS.get(runtime);
        Path exe = which(need.executable, hostPath).orElseThrow(() -> new BuildFailedException("Runtime " + runtime
                + " needs '" + need.executable + "' on this host's PATH for the local backend, and it was not found. "
                + "Install it (" + need.install + ") or use a backend that builds in containers."));
        String version = versionOf(exe, need.version);
        String path = hostPath;
        if (runtime == Runtime.PYTHON_3 || runtime == Runtime.PYTHON_311) {
            path = shimPython(exe, hostPath);
        }
        String note = requestedVersion.map(v -> version.contains(v) ? "" : " (runtime-version " + v
                + " was asked for; the local backend uses the host's toolchain)").orElse("");
        return new Toolchain(path, "Using " + exe + ": " + version + note);
    }

    private String shimPython(Path python3, String hostPath) throws BuildFailedException {
        try {
            Files.createDirectories(shimDir);
            if (which("python", hostPath).isEmpty()) {
                link(shimDir.resolve("python"), python3);
            }
            if (which("pip", hostPath).isEmpty()) {
                Path pip = shimDir.resolve("pip");
                if (!Files.exists(pip)) {
                    Files.writeString(pip, "#!/bin/sh\nexec \"" + python3 + "\" -m pip \"$@\"\n");
                    pip.toFile().setExecutable(true, false);
                }
            }
        } catch (IOException e) {
            throw new BuildFailedException("cannot prepare the python toolchain in " + shimDir + ": " + e.getMessage(), e);
        }
        return shimDir + ":" + hostPath;
    }

    private static void link(Path link, Path target) throws IOException {
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(link, target);
        }
    }

    static Optional<Path> which(String executable, String path) {
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, executable);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String versionOf(Path exe, String flag) {
        try {
            Process p = new ProcessBuilder(List.of(exe.toString(), flag)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            int nl = out.indexOf('\n');
            return nl > 0 ? out.substring(0, nl) : out;
        } catch (IOException e) {
            return "version unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "version unknown";
        }
    }
}
