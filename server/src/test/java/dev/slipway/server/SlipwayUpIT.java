package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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

    @TempDir
    Path tmp;

    private Process slipway;
    private final List<String> output = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        if (slipway != null && slipway.isAlive()) {
            slipway.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void upBuildsTheExampleStreamsTheLogServesItAndStopsEverythingOnSigterm() throws Exception {
        start("up", Path.of("..", "examples", "python-hello").toString(), "--router-port", "0");
        Matcher running = awaitRunning();
        assertThat(running.group(1)).isEqualTo("python-hello");
        assertThat(running.group(2)).matches("python-hello-[0-9a-f]{6}\\.localhost");
        int routerPort = Integer.parseInt(running.group(3));

        assertThat(new HttpProbe(routerPort).get(running.group(2) + ":" + routerPort).body()).isEqualTo("Hello, Jane!");
        assertThat(output).anyMatch(l -> l.startsWith("[AppRunner] [1/5] Pulling source code"))
                .anyMatch(l -> l.startsWith("[Build] [build] $ python -m py_compile server.py"))
                .anyMatch(l -> l.startsWith("[AppRunner] [5/5] Traffic switched"));
        int instancePort = output.stream().map(INSTANCE_PORT::matcher).filter(Matcher::find)
                .map(m -> Integer.parseInt(m.group(1))).findFirst().orElseThrow();
        assertThat(HttpProbe.listening(instancePort)).isTrue();

        slipway.destroy(); // SIGTERM, as Ctrl-C's shutdown path
        assertThat(slipway.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(HttpProbe.listening(instancePort)).as("instance stopped with slipway").isFalse();
        assertThat(HttpProbe.listening(routerPort)).as("router stopped with slipway").isFalse();
    }

    @Test
    void upDeploysABranchOfAGitRepositoryWithEnvironmentOverrides() throws Exception {
        Path repo = tmp.resolve("repo");
        try (var git = TestApps.gitRepositoryWithGreeter(repo, "Hello", "Jane")) {
            git.checkout().setCreateBranch(true).setName("feature").call();
        }
        start("up", repo.toString(), "--branch", "feature", "--name", "my-feature", "--env", "NAME=Ada", "--router-port", "0");
        Matcher running = awaitRunning();
        assertThat(running.group(1)).isEqualTo("my-feature");
        int routerPort = Integer.parseInt(running.group(3));
        assertThat(new HttpProbe(routerPort).get(running.group(2) + ":" + routerPort).body()).isEqualTo("Hello, Ada!");
        assertThat(output).anyMatch(l -> l.contains("of branch feature"));
    }

    @Test
    void upExplainsItselfAndRejectsAMissingSource() throws Exception {
        start("up", "--help");
        assertThat(slipway.waitFor(30, TimeUnit.SECONDS)).isTrue();
        await().until(() -> output.stream().anyMatch(l -> l.contains("apprunner.yaml")));
        assertThat(slipway.exitValue()).isZero();
        assertThat(output).anyMatch(l -> l.contains("--router-port")).anyMatch(l -> l.contains("--env"));

        output.clear();
        start("up", tmp.resolve("nothing-here").toString());
        assertThat(slipway.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(slipway.exitValue()).isEqualTo(2);
        await().until(() -> output.stream().anyMatch(l -> l.contains("does not exist")));
    }

    @Test
    void upSaysSoWhenTheRouterPortIsTaken() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            start("up", Path.of("..", "examples", "python-hello").toString(), "--router-port", Integer.toString(taken.getLocalPort()));
            assertThat(slipway.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(slipway.exitValue()).isEqualTo(2);
            await().until(() -> output.stream().anyMatch(l -> l.contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    && l.contains("--router-port")));
            assertThat(output).noneMatch(l -> l.contains("\tat "));
        }
    }

    private void start(String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(List.of(java, "-jar", Path.of("target", "slipway.jar").toString()));
        command.addAll(List.of(args));
        slipway = new ProcessBuilder(command).redirectErrorStream(true).start();
        Process p = slipway;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    private Matcher awaitRunning() {
        await().atMost(Duration.ofMinutes(2)).until(() -> running().isPresent() || !slipway.isAlive());
        return running().orElseThrow(() -> new AssertionError("slipway up did not report RUNNING:\n" + String.join("\n", output)));
    }

    private Optional<Matcher> running() {
        return output.stream().map(RUNNING::matcher).filter(Matcher::find).findFirst();
    }

}
