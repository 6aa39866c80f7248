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

    /**
     * A resolved toolchain: the PATH to run with, what else the environment needs (JAVA_HOME of a JDK chosen by
     * version), and a line describing it, with a warning when the version asked for is not on this host.
     */
    record Toolchain(String path, Map<String, String> env, String description) {
    }

    /** The version each runtime's name asks for (nodejs18: Node.js 18, corretto11: Java 11, python311: Python 3.11). */
    private static final Map<Runtime, String> ASKS_FOR = Map.of(Runtime.PYTHON_311, "3.11", Runtime.NODEJS_12, "12",
            Runtime.NODEJS_14, "14", Runtime.NODEJS_16, "16", Runtime.NODEJS_18, "18", Runtime.NODEJS_22, "22",
            Runtime.CORRETTO_8, "8", Runtime.CORRETTO_11, "11");
    private static final java.util.regex.Pattern VERSION = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)*)");

    private final Path shimDir;
    private final String hostPath;
    private final Path jvms;
    private final List<Path> nodeRoots;

    RuntimeToolchains(Path shimDir) {
        this(shimDir, Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin"));
    }

    /** With an explicit host PATH to search, for tests. */
    RuntimeToolchains(Path shimDir, String hostPath) {
        this(shimDir, hostPath, Path.of("/usr/lib/jvm"));
    }

    /** With an explicit host PATH and directory of installed JDKs (each with its {@code release} file), for tests. */
    RuntimeToolchains(Path shimDir, String hostPath, Path jvms) {
        this(shimDir, hostPath, jvms, NODE_ROOTS);
    }

    /**
     * Where Node.js versions are installed side by side, one directory per version ({@code v18.19.0},
     * {@code node-v18.19.0-linux-x64}) with its {@code bin/node}: the official tarballs' usual place, n's and nvm's.
     */
    static final List<Path> NODE_ROOTS = List.of(Path.of("/usr/local/lib/nodejs"), Path.of("/opt/nodejs"),
            Path.of("/usr/local/n/versions/node"), Path.of(Optional.ofNullable(System.getenv("NVM_DIR"))
                    .orElse(System.getProperty("user.home") + "/.nvm"), "versions/node"));

    /** With explicit places to find JDKs and Node.js versions, for tests. */
    RuntimeToolchains(Path shimDir, String hostPath, Path jvms, List<Path> nodeRoots) {
        this.shimDir = shimDir;
        this.hostPath = hostPath;
        this.jvms = jvms;
        this.nodeRoots = nodeRoots;
    }

    Toolchain resolve(Runtime runtime, Optional<String> requestedVersion) throws BuildFailedException {
        Need need = NEEDS.get(runtime);
        Optional<String> wanted = requestedVersion.or(() -> Optional.ofNullable(ASKS_FOR.get(runtime)));
        Map<String, String> env = Map.of();
        String path = hostPath;
        if (need.executable.equals("java") && wanted.isPresent()) {
            Optional<Path> jdk = jdk(major(wanted.get()));
            if (jdk.isPresent()) {
                env = Map.of("JAVA_HOME", jdk.get().toString());
                path = jdk.get().resolve("bin") + ":" + hostPath;
            }
        }
        if (need.executable.equals("node") && wanted.isPresent()) {
            Optional<Path> node = node(major(wanted.get()));
            if (node.isPresent()) {
                path = node.get().resolve("bin") + ":" + hostPath;
            }
        }
        String searched = path;
        // a Python of the version asked for, where the host has it beside others (python3.11 next to python3)
        Optional<Path> versioned = need.executable.equals("python3") ? wanted.map(RuntimeToolchains::majorMinor)
                .flatMap(mm -> which("python" + mm, searched)) : Optional.empty();
        Path exe = versioned.or(() -> which(need.executable, searched)).orElseThrow(() -> new BuildFailedException("Runtime "
                + runtime.configName() + " needs '" + need.executable + "' on this host's PATH for the local backend, and it "
                + "was not found. Install it (" + need.install + ") or use a backend that builds in containers (--backend docker)."));
        String version = versionOf(exe, need.version);
        if (versioned.isPresent()) {
            path = shimPythonVersion(exe, majorMinor(wanted.orElseThrow()), path);
        } else if (runtime == Runtime.PYTHON_3 || runtime == Runtime.PYTHON_311) {
            path = shimPython(exe, path);
        }
        String note = wanted.filter(v -> !matches(need.executable, version, v)).map(v -> ". Warning: " + runtime.configName()
                + (requestedVersion.isPresent() ? " with runtime-version " + v : "") + " asks for version " + v
                + ", which this host does not have; the build and the app use this one instead (install that version, "
                + "or use --backend docker, which builds on the runtime's image)").orElse("");
        return new Toolchain(path, env, "Using " + exe + ": " + version + note);
    }

    /** Whether a toolchain's version line (e.g. {@code openjdk version "17.0.15"}, {@code v18.19.0}) is version {@code wanted}. */
    static boolean matches(String executable, String versionLine, String wanted) {
        java.util.regex.Matcher m = VERSION.matcher(versionLine);
        if (!m.find()) {
            return false;
        }
        String found = m.group(1);
        if (executable.equals("java") && found.startsWith("1.")) {
            found = found.substring(2); // 1.8.0_402: Java 8
        }
        return found.equals(wanted) || found.startsWith(wanted + ".");
    }

    private static String major(String version) {
        return version.startsWith("1.") ? version.substring(2).split("\\.")[0] : version.split("\\.")[0];
    }

    /** An installed JDK of major version {@code major}: a directory under {@link #jvms} whose release file says so. */
    private Optional<Path> jdk(String major) {
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (var dirs = Files.list(jvms)) {
            return dirs.sorted().filter(d -> Files.isExecutable(d.resolve("bin/java")) && !Files.isSymbolicLink(d))
                    .filter(d -> releaseVersion(d).map(v -> matches("java", "\"" + v + "\"", major)).orElse(false)).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The newest installed Node.js of major version {@code major} under one of {@link #nodeRoots}. */
    private Optional<Path> node(String major) {
        java.util.regex.Pattern named = java.util.regex.Pattern.compile("(?:node-)?v?" + java.util.regex.Pattern.quote(major)
                + "(?:\\.(\\d+))?(?:\\.(\\d+))?(?:-.*)?");
        java.util.Comparator<Path> byVersion = java.util.Comparator.comparing((Path d) -> minorPatch(named, d));
        return nodeRoots.stream().filter(Files::isDirectory).flatMap(root -> {
            try (var dirs = Files.list(root)) {
                return dirs.filter(d -> named.matcher(d.getFileName().toString()).matches())
                        .filter(d -> Files.isExecutable(d.resolve("bin/node"))).toList().stream();
            } catch (IOException e) {
                return java.util.stream.Stream.empty();
            }
        }).max(byVersion);
    }

    /** The minor and patch numbers of a Node.js directory's name, as one comparable number. */
    private static long minorPatch(java.util.regex.Pattern named, Path dir) {
        java.util.regex.Matcher m = named.matcher(dir.getFileName().toString());
        m.matches();
        return (m.group(1) == null ? 0 : Long.parseLong(m.group(1))) * 1_000_000 + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
    }

    private static Optional<String> releaseVersion(Path jdk) {
        try {
            return Files.readAllLines(jdk.resolve("release")).stream().filter(l -> l.startsWith("JAVA_VERSION="))
                    .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", "")).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** {@code 3.11} of {@code 3.11.7}. */
    private static String majorMinor(String version) {
        String[] parts = version.split("\\.");
        return parts.length >= 2 ? parts[0] + "." + parts[1] : version;
    }

    /**
     * A shim directory of its own for Python {@code version} ({@code <shims>/python<version>}): python, python3, pip and
     * pip3 all run {@code python}, whatever other Python the host's PATH has first.
     */
    private String shimPythonVersion(Path python, String version, String hostPath) throws BuildFailedException {
        Path dir = shimDir.resolve("python" + version);
        try {
            Files.createDirectories(dir);
            link(dir.resolve("python"), python);
            link(dir.resolve("python3"), python);
            for (String pip : List.of("pip", "pip3")) {
                Path shim = dir.resolve(pip);
                if (!Files.exists(shim)) {
                    Files.writeString(shim, "#!/bin/sh\nexec \"" + python + "\" -m pip \"$@\"\n");
                    shim.toFile().setExecutable(true, false);
                }
            }
        } catch (IOException e) {
            throw new BuildFailedException("cannot prepare the python toolchain in " + dir + ": " + e.getMessage(), e);
        }
        return dir + ":" + hostPath;
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
