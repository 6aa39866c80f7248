package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar slipway.jar up}, the README's main job, run as a user runs it. */
class SlipwayUpIT {
    private static final Pattern RUNNING = Pattern.compile("Service (\\S+) is RUNNING at http://(\\S+):(\\d+)/");
    private static final Pattern INSTANCE_PORT = Pattern.compile("listening on port (\\d+)");
    private static final Path PYTHON_HELLO = Path.of("..", "examples", "python-hello");

    @TempDir
    Path tmp;

    private SlipwayJar slipway;

    @AfterEach
    void stop() throws InterruptedException {
        if (slipway != null) {
            slipway.close();
        }
    }

    @Test
    void upWatchRedeploysOnEverySaveAndAFailedBuildKeepsTheOldRevisionServing() throws Exception {
        Path app = tmp.resolve("watched-app");
        dev.slipway.core.source.SourceFetcher.copyTree(PYTHON_HELLO, app, line -> { });
        Files.writeString(app.resolve(".gitignore"), "notes.txt\n");
        slipway = SlipwayJar.start("up", app.toString(), "--watch", "--router-port", "0", "--https-port", "-1");
        Matcher running = slipway.awaitLine(RUNNING, Duration.ofMinutes(2));
        HttpProbe probe = new HttpProbe(Integer.parseInt(running.group(3)));
        String url = running.group(2) + ":" + running.group(3);
        assertThat(probe.get(url).body()).isEqualTo("Hello, Jane!");
        slipway.awaitLine(Pattern.compile("\\[watch] Watching "), Duration.ofSeconds(30));

        Path server = app.resolve("server.py");
        Files.writeString(server, Files.readString(server).replace("\"Hello, \"", "\"Howdy, \""));
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> probe.get(url).body().equals("Howdy, Jane!"));
        Matcher served = slipway.awaitLine(Pattern.compile("\\[watch] Served by the new revision (\\d+\\.\\d+) s after the save"),
                Duration.ofSeconds(30));
        assertThat(Double.parseDouble(served.group(1))).isPositive();
        assertThat(slipway.output()).anyMatch(l -> l.equals("[watch] Changed: server.py; deploying the working tree"));

        // an ignored file changes nothing; a syntax error fails the build, prints why, and the old revision serves on
        Files.writeString(app.resolve("notes.txt"), "ignored by .gitignore");
        Files.writeString(server, Files.readString(server) + "\ndef broken(:\n");
        slipway.awaitLine(Pattern.compile("\\[watch] The deployment failed: .*The previous revision keeps serving; fix it and save again\\."),
                Duration.ofMinutes(1));
        assertThat(slipway.output()).anyMatch(l -> l.startsWith("[Build]") && l.contains("SyntaxError"))
                .noneMatch(l -> l.contains("notes.txt"))
                .filteredOn(l -> l.startsWith("[watch] Changed:")).hasSize(2);
        assertThat(probe.get(url).body()).isEqualTo("Howdy, Jane!");
    }

    @Test
    void upBuildsTheExampleStreamsTheLogServesItAndStopsEverythingOnSigterm() throws Exception {
        slipway = SlipwayJar.start("up", PYTHON_HELLO.toString(), "--router-port", "0", "--local-port");
        Matcher running = slipway.awaitLine(RUNNING, Duration.ofMinutes(2));
        assertThat(running.group(1)).isEqualTo("python-hello");
        int localPort = Integer.parseInt(slipway.awaitLine(Pattern.compile("Also at http://127\\.0\\.0\\.1:(\\d+)/"),
                Duration.ofSeconds(30)).group(1));
        assertThat(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + localPort + "/")).build(), java.net.http.HttpResponse.BodyHandlers.ofString())
                .body()).as("its own port, no Host header").isEqualTo("Hello, Jane!");
        assertThat(running.group(2)).matches("python-hello-[0-9a-f]{6}\\.localhost");
        int routerPort = Integer.parseInt(running.group(3));

        assertThat(new HttpProbe(routerPort).get(running.group(2) + ":" + routerPort).body()).isEqualTo("Hello, Jane!");
        Matcher https = slipway.awaitLine(Pattern.compile("  and at https://(\\S+):(\\d+)/ \\(HTTP/2; trust (\\S+)\\)"), Duration.ofSeconds(5));
        assertThat(https.group(1)).isEqualTo(running.group(2));
        assertThat(Path.of(https.group(3))).as("the local CA, kept in the state directory").isEqualTo(SlipwayJar.STATE_DIR.resolve("local-ca.pem"));
        dev.slipway.core.testing.Curl.Result overTls = dev.slipway.core.testing.Curl.https(https.group(1),
                Integer.parseInt(https.group(2)), "/", Path.of(https.group(3)));
        assertThat(overTls.exitCode()).as("https out of the box, trusting local-ca.pem: " + overTls.stderr()).isZero();
        assertThat(overTls.httpVersion()).isEqualTo("HTTP/2");
        assertThat(overTls.body()).isEqualTo("Hello, Jane!");
        assertThat(slipway.output()).anyMatch(l -> l.startsWith("[AppRunner] [1/6] Pulling source code"))
                .anyMatch(l -> l.startsWith("[Build] [build] $ python -m py_compile server.py"))
                .anyMatch(l -> l.startsWith("[AppRunner] [5/6] Traffic switched"));
        int instancePort = Integer.parseInt(slipway.find(INSTANCE_PORT).orElseThrow().group(1));
        assertThat(HttpProbe.listening(instancePort)).isTrue();
        SlipwayJar events = SlipwayJar.run("logs", "python-hello");
        assertThat(events.process().exitValue()).as("slipway logs finds what up runs: %s", events.output()).isZero();
        assertThat(events.output()).anyMatch(l -> l.contains("CREATE_SERVICE operation") && l.contains("RUNNING"));
        assertThat(SlipwayJar.run("logs", "python-hello", "--application").output()).anyMatch(l -> l.matches("\\[[0-9a-f]{6}\\] .*"));

        slipway.sigterm();
        slipway.awaitExit(Duration.ofMinutes(1));
        assertThat(HttpProbe.listening(instancePort)).as("instance stopped with slipway").isFalse();
        assertThat(HttpProbe.listening(routerPort)).as("router stopped with slipway").isFalse();
        assertThat(HttpProbe.listening(localPort)).as("its own port closed with slipway").isFalse();
        SlipwayJar after = SlipwayJar.run("logs", "python-hello", "--deployment", "latest");
        assertThat(after.output()).as("the last operation's log, after up ended (up deletes the service at its end)")
                .anyMatch(l -> l.contains("DELETE_SERVICE completed successfully"));
        assertThat(SlipwayJar.run("logs", "python-hello").output()).as("the events, after up ended")
                .anyMatch(l -> l.contains("CREATE_SERVICE operation") && l.contains("RUNNING"));
        try (var left = java.nio.file.Files.list(SlipwayJar.STATE_DIR.resolve("up").resolve("python-hello"))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("what up leaves: its logs only").containsExactly("logs");
        }
        try (var left = java.nio.file.Files.list(SlipwayJar.STATE_DIR)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("and the local CA for the next run").contains("local-ca.pem");
        }
        SlipwayJar unknown = SlipwayJar.run("logs", "nope-service");
        assertThat(unknown.process().exitValue()).isEqualTo(2);
        assertThat(unknown.output()).anyMatch(l -> l.contains("up/nope-service/logs (slipway up)") && l.contains("python-hello (slipway up)"));
    }

    @Test
    void upRunsTheExampleOnDockerBuiltOnTheBaseImageGiven() throws Exception {
        dev.slipway.backend.docker.Docker.requireEngineAndBusybox();
        dev.slipway.backend.docker.Docker.requireDebianPython();
        slipway = SlipwayJar.start("up", PYTHON_HELLO.toString(), "--backend", "docker", "--name", "docker-hello",
                "--base-image", "python3=" + dev.slipway.backend.docker.Docker.DEBIAN_PYTHON, "--router-port", "0");
        Matcher running = slipway.awaitLine(RUNNING, Duration.ofMinutes(3));
        int routerPort = Integer.parseInt(running.group(3));
        assertThat(new HttpProbe(routerPort).get(running.group(2) + ":" + routerPort).body()).isEqualTo("Hello, Jane!");
        assertThat(dev.slipway.backend.docker.Docker.containers("slipway.dev/service", "docker-hello")).hasSize(1);

        String image = dev.slipway.backend.docker.Docker.run("inspect", "--format", "{{.Image}}",
                dev.slipway.backend.docker.Docker.containers("slipway.dev/service", "docker-hello").get(0)).trim();
        assertThat(dev.slipway.backend.docker.Docker.run("images", "-q", "--no-trunc")).as("the service's image while it runs").contains(image);

        slipway.sigterm();
        slipway.awaitExit(Duration.ofMinutes(1));
        assertThat(dev.slipway.backend.docker.Docker.containers("slipway.dev/service", "docker-hello")).isEmpty();
        assertThat(dev.slipway.backend.docker.Docker.run("images", "-a", "-q", "--no-trunc")).as("no image left after up").doesNotContain(image);

        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("apprunner.yaml"), "version: 1.0\nruntime: python3\nbuild:\n  commands:\n    build:\n"
                + "      - echo one > one.txt\n      - echo two > two.txt\n      - exit 7\nrun:\n  command: python3 -m http.server $PORT\n");
        String danglingBefore = dev.slipway.backend.docker.Docker.run("images", "-a", "-q", "--filter", "dangling=true");
        String exitedBefore = dev.slipway.backend.docker.Docker.run("ps", "-a", "-q", "--filter", "status=exited");
        SlipwayJar failed = SlipwayJar.run("up", broken.toString(), "--backend", "docker", "--name", "broken-build",
                "--base-image", "python3=" + dev.slipway.backend.docker.Docker.DEBIAN_PYTHON, "--router-port", "0");
        assertThat(failed.process().exitValue()).isEqualTo(1);
        assertThat(failed.output()).anyMatch(l -> l.contains("exited with code 7"));
        assertThat(dev.slipway.backend.docker.Docker.run("images", "-a", "-q", "--filter", "dangling=true").lines().sorted())
                .as("no image left by a failed build").containsExactlyElementsOf(danglingBefore.lines().sorted().toList());
        assertThat(dev.slipway.backend.docker.Docker.run("ps", "-a", "-q", "--filter", "status=exited").lines().sorted())
                .as("no container left by a failed build").containsExactlyElementsOf(exitedBefore.lines().sorted().toList());

        SlipwayJar unknown = SlipwayJar.run("up", PYTHON_HELLO.toString(), "--backend", "docker", "--base-image", "cobol=x:1");
        assertThat(unknown.process().exitValue()).isEqualTo(2);
        assertThat(unknown.output()).anyMatch(l -> l.contains("unknown runtime 'cobol'; use one of corretto8, corretto11"));
    }

    @Test
    void upDeploysABranchOfAGitRepositoryWithEnvironmentOverridesKeepingTheRestOfApprunnerYaml() throws Exception {
        Path repo = tmp.resolve("repo");
        try (var git = TestApps.gitRepositoryWithGreeter(repo, "Hello", "Jane")) {
            git.checkout().setCreateBranch(true).setName("feature").call();
            Files.writeString(repo.resolve("apprunner.yaml"), TestApps.pythonGreeterConfig("Jane").replace("""
                    build:
                      commands:
                    """, """
                    build:
                      env:
                        - name: FLAVOUR
                          value: crispy
                      commands:
                        pre-build:
                          - echo "pre-build with $FLAVOUR"
                    """));
            TestApps.commitAll(git, "a pre-build command and build env");
        }
        slipway = SlipwayJar.start("up", repo.toString(), "--branch", "feature", "--name", "my-feature", "--env", "NAME=Ada",
                "--router-port", "0");
        Matcher running = slipway.awaitLine(RUNNING, Duration.ofMinutes(2));
        assertThat(running.group(1)).isEqualTo("my-feature");
        int routerPort = Integer.parseInt(running.group(3));
        assertThat(new HttpProbe(routerPort).get(running.group(2) + ":" + routerPort).body()).isEqualTo("Hello, Ada!");
        assertThat(slipway.output()).anyMatch(l -> l.contains("of branch feature"))
                .anyMatch(l -> l.contains("pre-build with crispy"))
                .anyMatch(l -> l.contains("Overridden by this Slipway: environment NAME"));
    }

    @Test
    void ctrlCLetsARequestInFlightFinishBeforeStopping() throws Exception {
        Path app = tmp.resolve("slow-app");
        Files.createDirectories(app);
        Files.writeString(app.resolve("app.py"), """
                import os, time
                from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
                class Handler(BaseHTTPRequestHandler):
                    protocol_version = "HTTP/1.1"
                    def do_GET(self):
                        self.answer(b"ok")
                    def do_POST(self):
                        self.rfile.read(int(self.headers.get("Content-Length", "0")))
                        print("slow request started", flush=True)
                        time.sleep(2)  # the application is slow; the test waits for the line above, not for this
                        self.answer(b"slow done")
                    def answer(self, body):
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    def log_message(self, *args):
                        pass
                ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
                """);
        slipway = SlipwayJar.start("up", app.toString(), "--router-port", "0");
        Matcher running = slipway.awaitLine(RUNNING, Duration.ofMinutes(2));
        assertThat(slipway.output()).anyMatch(l -> l.contains("No apprunner.yaml in " + app + "; guessed from app.py: "
                + "runtime PYTHON_3, start 'python app.py'")).anyMatch(l -> l.contains("slipway init " + app));
        String url = running.group(2) + ":" + running.group(3);
        HttpProbe probe = new HttpProbe(Integer.parseInt(running.group(3)));
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return probe.send(url, HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofString("x")));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        slipway.awaitLine(Pattern.compile("slow request started"), Duration.ofSeconds(30));

        slipway.sigterm();

        HttpResponse<String> response = slow.get(1, TimeUnit.MINUTES);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("slow done");
        slipway.awaitExit(Duration.ofMinutes(1));
        assertThat(slipway.output()).anyMatch(l -> l.contains("stopping: draining requests"));
    }

    @Test
    void aLocalWorkingTreeIsDeployedAsItIsWithUncommittedChangesButNotIgnoredFiles() throws Exception {
        Path repo = tmp.resolve("wip");
        try (var git = TestApps.gitRepositoryWithGreeter(repo, "Hello", "Jane")) {
            Files.writeString(repo.resolve(".gitignore"), "secrets.txt\n");
            TestApps.commitAll(git, "ignore secrets");
        }
        Files.writeString(repo.resolve("server.py"), TestApps.pythonGreeter("Howdy")); // not committed
        Files.writeString(repo.resolve("secrets.txt"), "ignored");
        slipway = SlipwayJar.start("up", repo.toString(), "--router-port", "0");
        Matcher running = slipway.awaitLine(RUNNING, Duration.ofMinutes(2));
        int routerPort = Integer.parseInt(running.group(3));
        assertThat(new HttpProbe(routerPort).get(running.group(2) + ":" + routerPort).body()).isEqualTo("Howdy, Jane!");
        assertThat(slipway.output()).anyMatch(l -> l.contains("Copying the working tree of " + repo + " as it is (branch main, "
                + "based on commit ") && l.contains("with local changes to 1 file"));
        assertThat(slipway.output()).noneMatch(l -> l.contains("secrets.txt"))
                .anyMatch(l -> l.matches(".*Build succeeded for commit [0-9a-f]{40} with local changes"));
    }

    @Test
    void initWritesWhatUpWouldGuessAndNeverOverwrites() throws Exception {
        Path app = tmp.resolve("web-app");
        Files.createDirectories(app);
        Files.writeString(app.resolve("web.py"), "print('hello')\n");
        SlipwayJar init = SlipwayJar.run("init", app.toString());
        assertThat(init.process().exitValue()).as(String.join("\n", init.output())).isZero();
        assertThat(Files.readString(app.resolve("apprunner.yaml"))).contains("runtime: python3").contains("command: python web.py");
        assertThat(init.output()).anyMatch(l -> l.contains("Wrote " + app.resolve("apprunner.yaml")));

        SlipwayJar again = SlipwayJar.run("init", app.toString());
        assertThat(again.process().exitValue()).isEqualTo(2);
        assertThat(again.output()).anyMatch(l -> l.contains("exists already"));
        Path unknown = Files.createDirectories(tmp.resolve("unknown"));
        SlipwayJar skeleton = SlipwayJar.run("init", unknown.toString());
        assertThat(skeleton.process().exitValue()).isZero();
        assertThat(Files.readString(unknown.resolve("apprunner.yaml"))).contains("# pre-build:", "command: ", "slipway help apprunner.yaml");
        assertThat(SlipwayJar.run("help", "apprunner.yaml").output()).anyMatch(l -> l.contains("run.pre-run"));
    }

    @Test
    void aStaticSiteIsServedWithoutAnApprunnerYaml() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>static</h1>\n");
        slipway = SlipwayJar.start("up", site.toString(), "--router-port", "0");
        Matcher running = slipway.awaitLine(RUNNING, Duration.ofMinutes(2));
        assertThat(slipway.output()).anyMatch(l -> l.contains("guessed from index.html (a static site)"));
        assertThat(new HttpProbe(Integer.parseInt(running.group(3))).get(running.group(2) + ":" + running.group(3)).body())
                .isEqualTo("<h1>static</h1>\n");
    }

    @Test
    void upExplainsItselfAndRejectsAMissingSource() throws Exception {
        SlipwayJar help = SlipwayJar.run("up", "--help");
        assertThat(help.process().exitValue()).isZero();
        Process launcher = new ProcessBuilder(Path.of("..", "bin", "slipway").toString(), "--help").redirectErrorStream(true).start();
        String usage = new String(launcher.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(launcher.waitFor()).as("bin/slipway: " + usage).isZero();
        assertThat(usage).containsPattern("\\n  up +Build and run a web service from a directory or Git URL");
        assertThat(help.output()).anyMatch(l -> l.contains("apprunner.yaml"))
                .anyMatch(l -> l.contains("--router-port")).anyMatch(l -> l.contains("--env"));

        SlipwayJar missing = SlipwayJar.run("up", tmp.resolve("nothing-here").toString());
        assertThat(missing.process().exitValue()).isEqualTo(2);
        assertThat(missing.output()).anyMatch(l -> l.contains("does not exist"));

        TestApps.gitRepositoryWithGreeter(tmp.resolve("repo"), "Hello", "Jane").close();
        SlipwayJar noBranch = SlipwayJar.run("up", tmp.resolve("repo").toString(), "--branch", "nope", "--router-port", "0");
        assertThat(noBranch.process().exitValue()).isEqualTo(1);
        assertThat(noBranch.output()).anyMatch(l -> l.startsWith("slipway up: the service could not be created: branch 'nope' "
                + "not found") && l.contains("check --branch (branches: main)"));
        SlipwayJar badName = SlipwayJar.run("up", tmp.resolve("repo").toString(), "--name", "ab", "--router-port", "0");
        assertThat(badName.process().exitValue()).isEqualTo(2);
        assertThat(badName.output()).anyMatch(l -> l.contains("Value 'ab' of --name failed"));
    }

    @Test
    void theSameSourceGetsTheSameUrlEveryRunAndATakenDefaultRouterPortIsReplacedByAFreeOne() throws Exception {
        ServerSocket held = null;
        try {
            try {
                held = new ServerSocket(9080, 50, InetAddress.getByName("127.0.0.1")); // as a first slipway up would
            } catch (java.io.IOException takenAlready) {
                // something listens on 9080 already: the same case
            }
            slipway = SlipwayJar.start("up", PYTHON_HELLO.toString());
            Matcher first = slipway.awaitLine(RUNNING, Duration.ofMinutes(2));
            assertThat(first.group(3)).isNotEqualTo("9080");
            assertThat(slipway.output()).anyMatch(l -> l.startsWith("[slipway] Port 9080 is taken") && l.contains("--router-port"));
            assertThat(new HttpProbe(Integer.parseInt(first.group(3))).get(first.group(2) + ":" + first.group(3)).body()).isEqualTo("Hello, Jane!");
            slipway.sigterm();
            slipway.awaitExit(Duration.ofMinutes(1));

            slipway = SlipwayJar.start("up", PYTHON_HELLO.toString(), "--router-port", "0");
            Matcher again = slipway.awaitLine(RUNNING, Duration.ofMinutes(2));
            assertThat(again.group(2)).as("the service's host name, run after run").isEqualTo(first.group(2));
        } finally {
            if (held != null) {
                held.close();
            }
        }
    }

    @Test
    void upSaysSoWhenTheRouterPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            SlipwayJar up = SlipwayJar.run("up", PYTHON_HELLO.toString(), "--router-port", Integer.toString(taken.getLocalPort()));
            assertThat(up.process().exitValue()).isEqualTo(2);
            assertThat(up.output()).anyMatch(l -> l.contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    && l.contains("--router-port")).noneMatch(l -> l.contains("\tat "));
        }
    }
}
