package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.api.StartDeploymentRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.testing.TestApps;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slipway logs} reads the three log streams of a service from the state directory. */
class SlipwayLogsIT {
    @TempDir
    Path tmp;

    private Slipway slipway;
    private CreateServiceResponse created;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void deploy() throws Exception {
        slipway = Slipway.builder().routerPort(0).stateDir(tmp.resolve("state")).build();
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        created = slipway.createService(CreateServiceRequest.builder().serviceName("logged")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"), null, null)))
                .build());
        created.operation().awaitSuccess(Duration.ofMinutes(2));
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        slipway.close();
    }

    @Test
    void eventsDeploymentAndApplicationLogsArePrinted() throws Exception {
        List<String> events = run("logs", "logged");
        assertThat(events).anyMatch(l -> l.contains("CREATE_SERVICE operation " + created.operationId() + " succeeded"));

        List<String> deployment = run("logs", "logged", "--deployment", "latest");
        assertThat(deployment).anyMatch(l -> l.contains("[AppRunner] [1/5] Pulling source code"))
                .anyMatch(l -> l.contains("[Build] [build] $ python -m py_compile server.py"));
        assertThat(run("logs", "logged", "--deployment", created.operationId())).isEqualTo(deployment);

        assertThat(run("logs", "logged", "--application")).anyMatch(l -> l.matches("\\[[0-9a-f]{6}\\] \\S+ pid=\\d+"));
    }

    @Test
    void followPrintsNewLinesAsTheyAreWritten() throws Exception {
        List<String> output = new CopyOnWriteArrayList<>();
        start(output, "logs", "logged", "--follow");
        await().until(() -> output.stream().anyMatch(l -> l.contains("CREATE_SERVICE operation")));

        String op = slipway.startDeployment(new StartDeploymentRequest(created.service().serviceArn())).operationId();

        await().atMost(Duration.ofMinutes(1)).until(() -> output.stream().anyMatch(l -> l.contains("START_DEPLOYMENT operation " + op + " succeeded")));
    }

    @Test
    void unknownServicesAndStreamsAreExplained() throws Exception {
        Process p = start(new CopyOnWriteArrayList<>(), "logs", "nobody");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        List<String> output = new CopyOnWriteArrayList<>();
        Process q = start(output, "logs", "logged", "--deployment", "00000000-0000-4000-8000-000000000000");
        assertThat(q.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(q.exitValue()).isEqualTo(2);
        await().until(() -> output.stream().anyMatch(l -> l.contains("deployment/" + created.operationId())));
    }

    private List<String> run(String... args) throws Exception {
        List<String> output = new CopyOnWriteArrayList<>();
        Process p = start(output, args);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join("\n", output)).isZero();
        p.getInputStream().close();
        return output;
    }

    private Process start(List<String> output, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-jar", Path.of("target", "slipway.jar").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--state-dir", tmp.resolve("state").toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(p);
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Thread reader = new Thread(() -> {
            try (r) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        if (!List.of(args).contains("--follow")) {
            try {
                reader.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return p;
    }
}
