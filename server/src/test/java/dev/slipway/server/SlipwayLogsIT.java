package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.api.StartDeploymentRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.testing.TestApps;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
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
    private SlipwayJar follower;

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
        if (follower != null) {
            follower.close();
        }
        slipway.close();
    }

    @Test
    void eventsDeploymentAndApplicationLogsArePrinted() throws Exception {
        List<String> events = logs("logged");
        assertThat(events).anyMatch(l -> l.contains("CREATE_SERVICE operation " + created.operationId() + " succeeded"));

        List<String> deployment = logs("logged", "--deployment", "latest");
        assertThat(deployment).anyMatch(l -> l.contains("[AppRunner] [1/6] Pulling source code"))
                .anyMatch(l -> l.contains("[Build] [build] $ python -m py_compile server.py"));
        assertThat(logs("logged", "--deployment", created.operationId())).isEqualTo(deployment);

        assertThat(logs("logged", "--application")).anyMatch(l -> l.matches("\\[[0-9a-f]{6}\\] \\S+ pid=\\d+"));
    }

    @Test
    void followPrintsNewLinesAsTheyAreWritten() throws Exception {
        follower = SlipwayJar.start("logs", "logged", "--follow", "--state-dir", state().toString());
        follower.awaitLine(Pattern.compile("CREATE_SERVICE operation"), Duration.ofSeconds(30));

        String op = slipway.startDeployment(new StartDeploymentRequest(created.service().serviceArn())).operationId();

        follower.awaitLine(Pattern.compile("START_DEPLOYMENT operation " + op + " succeeded"), Duration.ofMinutes(1));
    }

    @Test
    void unknownServicesAndStreamsAreExplained() throws Exception {
        SlipwayJar nobody = SlipwayJar.run("logs", "nobody", "--state-dir", state().toString());
        assertThat(nobody.process().exitValue()).isEqualTo(2);
        assertThat(nobody.output()).anyMatch(l -> l.contains("services with logs: logged"));
        SlipwayJar unknown = SlipwayJar.run("logs", "logged", "--deployment", "00000000-0000-4000-8000-000000000000",
                "--state-dir", state().toString());
        assertThat(unknown.process().exitValue()).isEqualTo(2);
        assertThat(unknown.output()).anyMatch(l -> l.contains("deployment/" + created.operationId()));

        SlipwayJar fromEnv = SlipwayJar.start(java.util.Map.of("SLIPWAY_STATE_DIR", state().toString()), "logs", "logged");
        assertThat(fromEnv.awaitExit(Duration.ofMinutes(1))).as("SLIPWAY_STATE_DIR is the default --state-dir").isZero();
        assertThat(fromEnv.output()).anyMatch(l -> l.contains("CREATE_SERVICE operation " + created.operationId()));
    }

    private List<String> logs(String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of("logs"));
        all.addAll(List.of(args));
        all.addAll(List.of("--state-dir", state().toString()));
        SlipwayJar jar = SlipwayJar.run(all.toArray(String[]::new));
        assertThat(jar.process().exitValue()).as(String.join("\n", jar.output())).isZero();
        return jar.output();
    }

    private Path state() {
        return tmp.resolve("state");
    }
}
