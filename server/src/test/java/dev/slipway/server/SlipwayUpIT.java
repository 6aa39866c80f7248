package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
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
    void upBuildsTheExampleStreamsTheLogServesItAndStopsEverythingOnSigterm() throws Exception {
        slipway = SlipwayJar.start("up", PYTHON_HELLO.toString(), "--router-port", "0");
        Matcher running = slipway.awaitLine(RUNNING, Duration.ofMinutes(2));
        assertThat(running.group(1)).isEqualTo("python-hello");
        assertThat(running.group(2)).matches("python-hello-[0-9a-f]{6}\\.localhost");
        int routerPort = Integer.parseInt(running.group(3));

        assertThat(new HttpProbe(routerPort).get(running.group(2) + ":" + routerPort).body()).isEqualTo("Hello, Jane!");
        assertThat(slipway.output()).anyMatch(l -> l.startsWith("[AppRunner] [1/6] Pulling source code"))
                .anyMatch(l -> l.startsWith("[Build] [build] $ python -m py_compile server.py"))
                .anyMatch(l -> l.startsWith("[AppRunner] [5/6] Traffic switched"));
        int instancePort = Integer.parseInt(slipway.find(INSTANCE_PORT).orElseThrow().group(1));
        assertThat(HttpProbe.listening(instancePort)).isTrue();

        slipway.process().destroy(); // SIGTERM, as Ctrl-C's shutdown path
        slipway.awaitExit(Duration.ofMinutes(1));
        assertThat(HttpProbe.listening(instancePort)).as("instance stopped with slipway").isFalse();
        assertThat(HttpProbe.listening(routerPort)).as("router stopped with slipway").isFalse();
    }

    @Test
    void upDeploysABranchOfAGitRepositoryWithEnvironmentOverrides() throws Exception {
        Path repo = tmp.resolve("repo");
        try (var git = TestApps.gitRepositoryWithGreeter(repo, "Hello", "Jane")) {
            git.checkout().setCreateBranch(true).setName("feature").call();
        }
        slipway = SlipwayJar.start("up", repo.toString(), "--branch", "feature", "--name", "my-feature", "--env", "NAME=Ada",
                "--router-port", "0");
        Matcher running = slipway.awaitLine(RUNNING, Duration.ofMinutes(2));
        assertThat(running.group(1)).isEqualTo("my-feature");
        int routerPort = Integer.parseInt(running.group(3));
        assertThat(new HttpProbe(routerPort).get(running.group(2) + ":" + routerPort).body()).isEqualTo("Hello, Ada!");
        assertThat(slipway.output()).anyMatch(l -> l.contains("of branch feature"));
    }

    @Test
    void upExplainsItselfAndRejectsAMissingSource() throws Exception {
        SlipwayJar help = SlipwayJar.run("up", "--help");
        assertThat(help.process().exitValue()).isZero();
        assertThat(help.output()).anyMatch(l -> l.contains("apprunner.yaml"))
                .anyMatch(l -> l.contains("--router-port")).anyMatch(l -> l.contains("--env"));

        SlipwayJar missing = SlipwayJar.run("up", tmp.resolve("nothing-here").toString());
        assertThat(missing.process().exitValue()).isEqualTo(2);
        assertThat(missing.output()).anyMatch(l -> l.contains("does not exist"));
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
