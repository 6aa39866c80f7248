package dev.slipway.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/** Small real web apps for tests, written to a directory or committed to a real Git repository with JGit. */
public final class TestApps {
    private TestApps() {
    }

    /**
     * A Python app (standard library only) answering {@code <greeting>, <NAME>!}; it listens on PORT, prints its pid
     * as {@code pid=<n>} and exits on SIGTERM.
     */
    public static String pythonGreeter(String greeting) {
        return """
                import os, sys
                from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
                NAME = os.environ.get("NAME") or "world"
                MESSAGE = "%s, " + NAME + "!"
                class Handler(BaseHTTPRequestHandler):
                    protocol_version = "HTTP/1.1"
                    def do_GET(self):
                        body = MESSAGE.encode()
                        self.send_response(200)
                        self.send_header("X-Seen-Proto", self.headers.get("X-Forwarded-Proto", ""))
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    def do_POST(self):
                        length = int(self.headers.get("Content-Length", "0"))
                        data = self.rfile.read(length)
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(data)))
                        self.end_headers()
                        self.wfile.write(data)
                    def log_message(self, *args):
                        pass
                print("pid=" + str(os.getpid()), flush=True)
                server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
                server.daemon_threads = True
                server.serve_forever()
                """.formatted(greeting);
    }

    /** The apprunner.yaml of {@link #pythonGreeter}: python3, a compile build step, NAME from the file. */
    public static String pythonGreeterConfig(String name) {
        return """
                version: 1.0
                runtime: python3
                build:
                  commands:
                    build:
                      - python -m py_compile server.py
                run:
                  command: python server.py
                  env:
                    - name: NAME
                      value: "%s"
                """.formatted(name);
    }

    /** Writes a Python app ({@code server.py}) and an apprunner.yaml that compiles it, runs it, and sets {@code env}. */
    public static void writePythonApp(Path dir, String serverPy, java.util.Map<String, String> env) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("server.py"), serverPy);
        StringBuilder yaml = new StringBuilder("version: 1.0\nruntime: python3\nbuild:\n  commands:\n    build:\n"
                + "      - python -m py_compile server.py\nrun:\n  command: python server.py\n");
        if (!env.isEmpty()) {
            yaml.append("  env:\n");
            env.forEach((k, v) -> yaml.append("    - name: ").append(k).append("\n      value: \"").append(v).append("\"\n"));
        }
        Files.writeString(dir.resolve("apprunner.yaml"), yaml.toString());
    }

    /** Writes the greeter app and its apprunner.yaml into {@code dir}. */
    public static void writePythonGreeter(Path dir, String greeting, String name) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("server.py"), pythonGreeter(greeting));
        Files.writeString(dir.resolve("apprunner.yaml"), pythonGreeterConfig(name));
    }

    /** Creates a Git repository at {@code dir} on branch {@code main} with the greeter app committed. */
    public static Git gitRepositoryWithGreeter(Path dir, String greeting, String name) throws IOException, GitAPIException {
        Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
        writePythonGreeter(dir, greeting, name);
        commitAll(git, "greeter: " + greeting);
        return git;
    }

    /** Commits every change in the work tree. */
    public static String commitAll(Git git, String message) throws GitAPIException {
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor("Slipway Test", "test@slipway.dev")
                .setCommitter("Slipway Test", "test@slipway.dev").call().getName();
    }
}
