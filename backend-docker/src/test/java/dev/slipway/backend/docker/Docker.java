package dev.slipway.backend.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real docker CLI, for tests to build their images and look at what the backend made. */
public final class Docker {
    /** A busybox image whose shell and httpd serve what a start command writes, built locally once per engine. */
    public static final String BUSYBOX = "slipway-test/busybox:1";
    /** Debian bookworm with python3 and its standard library (and {@code python}), as a python3 base image; built locally once per engine. */
    public static final String DEBIAN_PYTHON = "slipway-test/debian-python:bookworm";

    private Docker() {
    }

    /** Runs {@code docker args...}; returns its output, failing with it when docker fails. */
    public static String run(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return run(command);
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run docker: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Fails with how to start an engine when none answers; builds {@link #BUSYBOX} from /bin/busybox if missing. */
    public static void requireEngineAndBusybox() {
        try {
            run("info", "--format", "{{.ServerVersion}}");
        } catch (AssertionError e) {
            throw new AssertionError("No Docker engine answers. Install docker.io and start it: "
                    + "dockerd --bridge=none --iptables=false & (.ci/run does this). " + e.getMessage());
        }
        if (run("images", "-q", BUSYBOX).isEmpty()) {
            shell("set -e; root=$(mktemp -d); mkdir -p $root/bin $root/tmp; cp /bin/busybox $root/bin/;"
                    + " for c in sh echo mkdir cat sleep httpd id env; do ln -s busybox $root/bin/$c; done;"
                    + " tar -C $root -c . | docker import - " + BUSYBOX + "; rm -rf $root",
                    "build " + BUSYBOX + " (needs /bin/busybox: apt-get install busybox-static)");
        }
    }

    /** Builds {@link #DEBIAN_PYTHON} with mmdebstrap if the engine does not have it (about 20 s). */
    public static void requireDebianPython() {
        if (!run("images", "-q", DEBIAN_PYTHON).isEmpty()) {
            return;
        }
        shell("set -e; mmdebstrap --variant=minbase --include=python3 "
                + "--customize-hook='chroot \"$1\" ln -sf /usr/bin/python3 /usr/local/bin/python' bookworm - | docker import - "
                + DEBIAN_PYTHON, "build " + DEBIAN_PYTHON + " (needs mmdebstrap and Debian's mirror)");
    }

    /** A user-defined bridge network for tests of the bridge mode (this engine runs without the default bridge). */
    public static String requireBridgeNetwork() {
        String name = "slipway-test-bridge";
        if (run("network", "ls", "-q", "--filter", "name=^" + name + "$").isEmpty()) {
            run("network", "create", "--driver", "bridge", name);
        }
        return name;
    }

    /** A Debian {@code docker-registry} on a free 127.0.0.1 port (the engine trusts loopback registries without TLS). */
    public record Registry(Process process, String address) implements AutoCloseable {
        @Override
        public void close() {
            process.destroy();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        public int port() {
            return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        }
    }

    /** Starts a registry storing under {@code dir}; fails saying how to install one. */
    public static Registry startRegistry(java.nio.file.Path dir) throws IOException {
        return startRegistry(dir, null, null);
    }

    /** Starts a registry that needs {@code user}/{@code password} (htpasswd, bcrypt) when {@code user} is not null. */
    public static Registry startRegistry(java.nio.file.Path dir, String user, String password) throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return startRegistry(dir, user, password, port, "");
    }

    /**
     * Starts a registry storing under {@code dir} on {@code port} (again, after {@link Registry#close()}, with what it
     * stored), with {@code extraConfig} (YAML, e.g. a {@code notifications:} section) added to its configuration.
     */
    public static Registry startRegistry(java.nio.file.Path dir, String user, String password, int port, String extraConfig)
            throws IOException {
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Path config = dir.resolve("config.yml");
        String auth = "";
        if (user != null) {
            run(List.of("sh", "-c", "htpasswd -Bbn '" + user + "' '" + password + "' > " + dir.resolve("htpasswd")));
            auth = "auth:\n  htpasswd:\n    realm: slipway-test\n    path: " + dir.resolve("htpasswd") + "\n";
        }
        java.nio.file.Files.writeString(config, "version: 0.1\nstorage:\n  delete:\n    enabled: true\n  filesystem:\n    rootdirectory: " + dir.resolve("data")
                + "\nhttp:\n  addr: 127.0.0.1:" + port + "\n" + auth + extraConfig);
        Process p;
        try {
            p = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("registry.log").toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start docker-registry (apt-get install docker-registry): " + e.getMessage(), e);
        }
        String address = "127.0.0.1:" + port;
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return new Registry(p, address);
    }

    /** Builds {@code tag} from {@link #BUSYBOX} with /www/index.html holding {@code page}, pushes it, and removes the local copy. */
    public static String pushPage(String tag, String page) {
        return pushPage(tag, page, "");
    }

    /**
     * As {@link #pushPage(String, String)}, logging in first with {@code user:password} when not empty, in a docker
     * config directory of its own, so that no later pull finds the login.
     */
    public static String pushPage(String tag, String page, String login) {
        String registry = tag.substring(0, tag.indexOf('/'));
        String script = "set -e; cfg=$(mktemp -d); "
                + (login.isEmpty() ? "" : "echo '" + login.substring(login.indexOf(':') + 1) + "' | docker --config $cfg login -u '"
                        + login.substring(0, login.indexOf(':')) + "' --password-stdin " + registry + "; ")
                + "printf 'FROM " + BUSYBOX + "\\nRUN mkdir -p /www && echo " + page + " > /www/index.html\\n' "
                + "| docker build -q -t " + tag + " - && docker --config $cfg push " + tag + " && docker rmi " + tag + "; rm -rf $cfg";
        String out = shell(script, "build and push " + tag);
        java.util.regex.Matcher digest = java.util.regex.Pattern.compile("digest: (sha256:[0-9a-f]{64})").matcher(out);
        if (!digest.find()) {
            throw new AssertionError("no digest in the push of " + tag + ": " + out);
        }
        return digest.group(1);
    }

    /** Runs {@code sh -c script}; returns its output, or fails saying it could not {@code what}. */
    private static String shell(String script, String what) {
        try {
            return run(List.of("sh", "-c", script));
        } catch (AssertionError e) {
            throw new AssertionError("cannot " + what + ": " + e.getMessage());
        }
    }

    /** The ids of the containers (running or not) with label {@code key=value}. */
    public static List<String> containers(String key, String value) {
        String out = run("ps", "-aq", "--filter", "label=" + key + "=" + value);
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }
}
