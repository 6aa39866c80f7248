package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import dev.slipway.server.SlipwayJar;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A client calling a service all through a kill -9 and a restart of {@code slipway server} (and through a graceful stop
 * with {@code --keep-instances}): the instance the server left serves on, and the restarted router serves it at once, so
 * no call fails but while the port is closed.
 */
class ServingThroughRestartIT {
    private static final Pattern LISTENING = Pattern.compile("Slipway API listening on http://127\\.0\\.0\\.1:(\\d+) ");

    @TempDir
    Path tmp;
    private SlipwayJar server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void noCallFailsThroughAKillAndARestartButWhileThePortIsClosed() throws Exception {
        servesThrough(s -> s.process().destroyForcibly()); // kill -9: nothing is cleaned up
    }

    @Test
    void withKeepInstancesNoCallFailsThroughAGracefulStopAndARestartButWhileThePortIsClosed() throws Exception {
        keepInstances = true;
        servesThrough(SlipwayJar::sigterm);
        assertThat(stopped.output()).anyMatch(l -> l.contains("instances keep running for the next start"));
    }

    private boolean keepInstances;
    private SlipwayJar stopped;

    private void servesThrough(java.util.function.Consumer<SlipwayJar> stop) throws Exception {
        Path state = tmp.resolve("state");
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        int routerPort = freePort();
        int apiPort = start(state, routerPort);
        AwsCli aws = AwsCli.withCredentialsFile(apiPort, state.resolve("credentials"));
        String arn = aws.ok("create-service", "--service-name", "steady", "--source-configuration", "{\"CodeRepository\":{\"RepositoryUrl\":\""
                + app.toUri() + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}").at("/Service/ServiceArn").asText();
        aws.awaitStatus(arn, "RUNNING");
        String url = aws.ok("describe-service", "--service-arn", arn).at("/Service/ServiceUrl").asText();

        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        AtomicInteger servedSinceRestart = new AtomicInteger();
        AtomicBoolean restarted = new AtomicBoolean();
        AtomicBoolean down = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        Thread client = new Thread(() -> {
            HttpProbe probe = new HttpProbe(routerPort);
            while (!done.get()) {
                boolean wasDown = down.get();
                String outcome = call(probe, url);
                outcome = wasDown || down.get() ? outcome.equals("200") ? outcome : "while down: " + outcome : outcome;
                outcomes.computeIfAbsent(outcome, o -> new AtomicInteger()).incrementAndGet();
                if (restarted.get() && outcome.equals("200")) {
                    servedSinceRestart.incrementAndGet();
                }
            }
        }, "client-loop");
        client.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.containsKey("200"));

        down.set(true); // from the kill until the new server listens, a call may fail: the port is closed, or closing
        stopped = server;
        stop.accept(server);
        server.process().waitFor(30, TimeUnit.SECONDS);
        server.close();
        // another control plane on this machine starts meanwhile and reaps what gone JVMs left: not what is kept for this one
        try (SlipwayJar other = SlipwayJar.start("server", "--state-dir", tmp.resolve("other").toString(), "--api-port", "0",
                "--router-port", "0")) {
            other.awaitLine(LISTENING, Duration.ofMinutes(1));
        }
        restarted.set(true);
        int apiAgain = start(state, routerPort);
        down.set(false);
        await().atMost(Duration.ofMinutes(2)).until(() -> servedSinceRestart.get() >= 20);
        done.set(true);
        client.join();

        LoggerFactory.getLogger(ServingThroughRestartIT.class).info("outcomes of the calls: {}", new TreeMap<>(outcomes));
        assertThat(outcomes).as("outcomes of the calls").doesNotContainKey("404").doesNotContainKey("503 without Retry-After");
        // the goal: no failed call but while the port is closed (or closing, for a call in flight at the kill); a graceful
        // stop answers what comes while it drains with 503 and Retry-After
        assertThat(outcomes.keySet()).as("outcomes of the calls").allMatch(o -> o.equals("200") || o.equals("while down: refused")
                || o.startsWith("while down: error: ") || o.equals("while down: 503"));
        AwsCli again = AwsCli.withCredentialsFile(apiAgain, state.resolve("credentials"));
        again.ok("delete-service", "--service-arn", arn); // nothing left running, whatever the server's stop keeps
        await().atMost(Duration.ofMinutes(1)).until(() -> again.ok("list-services").get("ServiceSummaryList").isEmpty());
    }

    /** "200", "503" (with Retry-After), "503 without Retry-After", another status, "refused" (the port is closed), or the error. */
    private static String call(HttpProbe probe, String url) {
        try {
            HttpResponse<String> r = probe.get(url);
            if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isEmpty()) {
                return "503 without Retry-After";
            }
            return String.valueOf(r.statusCode());
        } catch (ConnectException e) {
            return "refused";
        } catch (IOException e) {
            return "error: " + e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private int start(Path state, int routerPort) {
        List<String> args = new java.util.ArrayList<>(List.of("server", "--state-dir", state.toString(), "--api-port", "0",
                "--router-port", String.valueOf(routerPort), "--allow-source-dir", tmp.toString()));
        if (keepInstances) {
            args.add("--keep-instances");
        }
        server = SlipwayJar.start(args.toArray(String[]::new));
        Matcher m = server.awaitLine(LISTENING, Duration.ofMinutes(1));
        return Integer.parseInt(m.group(1));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
