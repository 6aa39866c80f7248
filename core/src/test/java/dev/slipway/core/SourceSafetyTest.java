package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import dev.slipway.core.testing.FakeBackend;
import dev.slipway.core.testing.TestApps;
import java.nio.file.Files;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.CopyOnWriteArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Source directories that could hang or leak an operation: special files, links out, paths the server does not allow, steps that never end. */
class SourceSafetyTest {
    private static final Duration OP = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void fifosAndLinksOutOfTheTreeAreLeftOutInsteadOfBlockingTheCopy() throws Exception {
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        Process mkfifo = new ProcessBuilder("mkfifo", app.resolve("pipe").toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        Files.createSymbolicLink(app.resolve("passwd"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(app.resolve("config.yaml"), Path.of("apprunner.yaml"));
        try (Slipway slipway = Slipway.builder().backend("fake").routerPort(-1).stateDir(tmp.resolve("state")).build()) {
            CreateServiceResponse created = slipway.createService(create("fifo-svc", app));
            created.operation().awaitSuccess(OP);
            assertThat(slipway.logLines("fifo-svc", "deployment/" + created.operationId()))
                    .anyMatch(l -> l.contains("Leaving out pipe: not a regular file"))
                    .anyMatch(l -> l.contains("Leaving out passwd: a symbolic link out of the source directory"))
                    .noneMatch(l -> l.contains("config.yaml"));
        }
    }

    @Test
    void aStepThatNeverEndsFailsItsOperationAndTheServiceCanBeDeleted() throws Exception {
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        Timeouts timeouts = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1)).withStep(Duration.ofSeconds(1));
        FakeBackend fake = new FakeBackend();
        try (Slipway slipway = Slipway.builder().backend(fake).routerPort(-1).stateDir(tmp.resolve("state")).timeouts(timeouts).build()) {
            fake.prepareLatch = new CountDownLatch(1); // the build never ends
            CreateServiceResponse created = slipway.createService(create("stuck-svc", app));
            OperationSummary result = created.operation().await(OP);
            assertThat(result.status()).isEqualTo(OperationStatus.FAILED);
            assertThat(created.operation().failureReason()).get().asString()
                    .contains("'Building the application").contains("did not finish within 1 s");
            slipway.deleteService(new DeleteServiceRequest(created.service().serviceArn())).operation().awaitSuccess(OP);
            fake.prepareLatch.countDown();
        }
    }

    @Test
    void aGitServerThatNeverAnswersFailsTheOperationAndLeavesNoThread() throws Exception {
        Timeouts timeouts = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1)).withStep(Duration.ofSeconds(2));
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Slipway slipway = Slipway.builder().backend(new FakeBackend()).routerPort(-1).stateDir(tmp.resolve("state")).timeouts(timeouts).build()) {
            Thread acceptor = new Thread(() -> { // takes every connection and says nothing
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/app.git";
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("silent-git")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(url, SourceCodeVersion.branch("main"), null, null))).build());
            assertThat(created.operation().await(OP).status()).isEqualTo(OperationStatus.FAILED);
            assertThat(held).isNotEmpty();
            await().atMost(OP).until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("slipway-step-silent-git")));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aStepThatEndsAfterItsTimeoutLeavesNothingBehind() throws Exception {
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        Timeouts timeouts = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1)).withStep(Duration.ofSeconds(1));
        FakeBackend fake = new FakeBackend();
        try (Slipway slipway = Slipway.builder().backend(fake).routerPort(-1).stateDir(tmp.resolve("state")).timeouts(timeouts).build()) {
            fake.prepareLatch = new CountDownLatch(1);
            fake.prepareIgnoresInterrupts = true; // stuck where interrupts do not reach, as a blocking read
            CreateServiceResponse created = slipway.createService(create("late-svc", app));
            assertThat(created.operation().await(OP).status()).isEqualTo(OperationStatus.FAILED);

            fake.prepareLatch.countDown(); // the build ends after all, after the rollback
            await().atMost(OP).until(() -> fake.built.size() == 1);
            await().atMost(OP).until(() -> fake.discarded.containsAll(fake.built));
            assertThat(fake.runningIds()).isEmpty();
        }
    }

    @Test
    void localDirectoriesOutsideTheAllowedOnesAreRefused() throws Exception {
        Path allowed = tmp.resolve("allowed");
        TestApps.writePythonGreeter(allowed.resolve("app"), "Hello", "Jane");
        Path outside = tmp.resolve("outside");
        TestApps.writePythonGreeter(outside, "Hello", "Jane");
        Files.createSymbolicLink(allowed.resolve("sneaky"), outside);
        try (Slipway slipway = Slipway.builder().backend("fake").routerPort(-1).stateDir(tmp.resolve("state"))
                .allowedSourceDirectories(List.of(allowed)).build()) {
            for (Path refused : List.of(outside, allowed.resolve("sneaky"), Path.of("/etc"), allowed.resolve("app/../../outside"))) {
                assertThatThrownBy(() -> slipway.createService(create("refused", refused))).as(refused.toString())
                        .isInstanceOf(InvalidRequestException.class)
                        .hasMessageContaining("sourceConfiguration.codeRepository.repositoryUrl")
                        .hasMessageContaining("--allow-source-dir");
            }
            assertThatThrownBy(() -> slipway.createService(CreateServiceRequest.builder().serviceName("by-url")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(outside.toUri().toString(),
                            SourceCodeVersion.branch("main"), null, null))).build())).isInstanceOf(InvalidRequestException.class);
            assertThat(slipway.listServices(new ListServicesRequest(null, null)).serviceSummaryList()).isEmpty();
            slipway.createService(create("allowed", allowed.resolve("app"))).operation().awaitSuccess(OP);
        }
        try (Slipway none = Slipway.builder().backend("fake").routerPort(-1).stateDir(tmp.resolve("state2"))
                .allowedSourceDirectories(List.of()).build()) {
            assertThatThrownBy(() -> none.createService(create("refused", allowed.resolve("app"))))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("reads no local directory");
        }
    }

    private static CreateServiceRequest create(String name, Path dir) {
        return CreateServiceRequest.builder().serviceName(name).sourceConfiguration(SourceConfiguration.of(
                new CodeRepository(dir.toString(), SourceCodeVersion.branch("main"), null, null))).build();
    }
}
