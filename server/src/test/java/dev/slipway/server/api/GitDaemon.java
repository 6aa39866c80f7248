package dev.slipway.server.api;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Git's own server ({@code git daemon}) serving the bare repositories under a directory over {@code git://} on a
 * 127.0.0.1 port, pushes allowed: what a Git host is to Slipway, with the real {@code git} client pushing to it.
 */
final class GitDaemon implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path base;

    private GitDaemon(Process process, int port, Path base) {
        this.process = process;
        this.port = port;
        this.base = base;
    }

    static GitDaemon start(Path base) throws IOException {
        Files.createDirectories(base);
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process p = new ProcessBuilder("git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
                "--base-path=" + base, "--listen=127.0.0.1", "--port=" + port, base.toString())
                .redirectErrorStream(true).redirectOutput(base.resolveSibling("git-daemon.log").toFile()).start();
        GitDaemon daemon = new GitDaemon(p, port, base);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            }
        });
        return daemon;
    }

    /** A new bare repository {@code name}.git (branch main); its git:// URL. */
    String create(String name) throws IOException, InterruptedException {
        Path repo = base.resolve(name + ".git");
        git(base, "init", "--bare", "--initial-branch=main", repo.toString());
        return url(name);
    }

    String url(String name) {
        return "git://127.0.0.1:" + port + "/" + name + ".git";
    }

    /** Runs the real git client in {@code dir}; its output, or an exception with it when git fails. */
    static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-c", "user.name=Ada Lovelace", "-c",
                "user.email=ada@example.com", "-c", "init.defaultBranch=main"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("git " + String.join(" ", args) + " failed: " + out);
        }
        return out.strip();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }
}
