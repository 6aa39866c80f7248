package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.api.*;
import dev.slipway.core.observe.LogSink;
import dev.slipway.core.observe.LogStreams;
import dev.slipway.core.model.*;
import dev.slipway.core.testing.FakeBackend;
import dev.slipway.core.testing.TestApps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import dev.slipway.core.store.SqliteStateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the state database cannot be written, a change is not applied: the caller gets a clear error and nothing of it
 * shows, before or after a restart; a change recording what happened (an operation ended) shows once it could be
 * saved. The disk fills for real: the database lives on a tmpfs of 4 MiB (mounted by the test, which runs as root, as
 * CI does), filled by a file up to the last byte; deleting the file is "space coming back".
 */
class FullDiskTest {
    private static final Duration OP = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    private Path disk;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        disk = Files.createDirectories(tmp.resolve("disk"));
        run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", disk.toString());
    }

    @AfterEach
    void unmount() throws Exception {
        run("umount", disk.toString());
    }

    @Test
    void aChangeThatCannotBeSavedIsNotAppliedAndTheServerRecoversByItself() throws Exception {
        Path state = tmp.resolve("state");
        TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Jane");
        String arn;
        FakeBackend fake = new FakeBackend();
        try (SqliteStateStore db = new SqliteStateStore(disk.resolve("state.db"));
             Slipway slipway = Slipway.builder().backend(fake).routerPort(-1).stateDir(state).stateStore(db).build()) {
            CreateServiceResponse created = slipway.createService(create("kept"));
            created.operation().awaitSuccess(OP);
            arn = created.service().serviceArn();

            fillDisk();
            assertThatThrownBy(() -> slipway.tagResource(new TagResourceRequest(arn, List.of(Tag.of("team", "blue")))))
                    .isInstanceOf(InternalServiceErrorException.class)
                    .hasMessageContaining("could not save its state, so nothing was changed");
            assertThat(slipway.listTagsForResource(new ListTagsForResourceRequest(arn)).tags()).isEmpty();
            assertThatThrownBy(() -> slipway.createService(create("lost"))).isInstanceOf(InternalServiceErrorException.class);
            assertThatThrownBy(() -> slipway.startDeployment(new StartDeploymentRequest(arn))).isInstanceOf(InternalServiceErrorException.class);
            assertThat(names(slipway)).containsExactly("kept");
            assertThat(describe(slipway, arn).status()).isEqualTo(ServiceStatus.RUNNING);
            assertThat(slipway.listOperations(new ListOperationsRequest(arn, null, null)).operationSummaryList()).hasSize(1);

            freeDisk();
            assertThat(slipway.createService(create("lost")).service().serviceName()).as("no 'already exists'").isEqualTo("lost");

            fake.prepareLatch = new CountDownLatch(1);
            String op = slipway.startDeployment(new StartDeploymentRequest(arn)).operationId();
            fillDisk();
            fake.prepareLatch.countDown(); // the deployment ends while its end cannot be saved
            await().atMost(OP).until(() -> slipway.logLines("kept", "deployment/" + op).stream()
                    .anyMatch(l -> l.contains("[6/6]")));
            assertThat(describe(slipway, arn).status()).as("not shown until saved").isEqualTo(ServiceStatus.OPERATION_IN_PROGRESS);

            freeDisk();
            await().atMost(OP).until(() -> describe(slipway, arn).status() == ServiceStatus.RUNNING);
            assertThat(slipway.listOperations(new ListOperationsRequest(arn, null, null)).operationSummaryList().get(0).status())
                    .isEqualTo(OperationStatus.SUCCEEDED);
        }
        try (SqliteStateStore db = new SqliteStateStore(disk.resolve("state.db"));
             Slipway again = Slipway.builder().backend("fake").routerPort(-1).stateDir(state).stateStore(db).build()) {
            assertThat(names(again)).containsExactly("kept", "lost");
            assertThat(again.listTagsForResource(new ListTagsForResourceRequest(arn)).tags()).isEmpty();
            assertThat(again.listOperations(new ListOperationsRequest(arn, null, null)).operationSummaryList())
                    .extracting(OperationSummary::status).containsExactly(OperationStatus.SUCCEEDED, OperationStatus.SUCCEEDED);
        }
    }

    private CreateServiceRequest create(String name) {
        return CreateServiceRequest.builder().serviceName(name).sourceConfiguration(SourceConfiguration.of(
                new CodeRepository(tmp.resolve("app").toString(), SourceCodeVersion.branch("main"), null, null))).build();
    }

    /** Writes a file until the disk has no byte left. */
    /** Log lines that meet a full disk are lost whole, never cut, and a marker says how many once lines fit again. */
    @Test
    void logLinesLostToAFullDiskAreCountedAndNoneIsCut() throws Exception {
        try (LogStreams logs = new LogStreams(disk.resolve("logs"))) {
            LogSink app = logs.sink("svc", "instance/a");
            app.line("before");
            fillDisk();
            String big = "x".repeat(10_000); // larger than a page: a write of it would be cut halfway
            for (int i = 0; i < 150; i++) {
                app.line(big);
            }
            freeDisk();
            app.line("after");
            List<String> lines = logs.read("svc", "instance/a");
            assertThat(lines).first().isEqualTo("before");
            assertThat(lines).last().isEqualTo("after");
            assertThat(lines).allMatch(l -> l.equals("before") || l.equals("after") || l.equals(big) || l.startsWith("[slipway] "));
            long kept = lines.stream().filter(big::equals).count();
            assertThat(lines).contains("[slipway] " + (150 - kept) + " lines were lost here: the disk was full");
            assertThat(logs.lostLines()).as("the meter slipway.log.lines.lost").isEqualTo(150 - kept);
        }
    }

    private void fillDisk() throws IOException {
        byte[] block = new byte[4096];
        try (var out = Files.newOutputStream(disk.resolve("filler"))) {
            for (int size = block.length; size > 0; size /= 2) {
                try {
                    while (true) {
                        out.write(block, 0, size);
                        out.flush();
                    }
                } catch (IOException full) {
                    // smaller pieces until not even one byte fits
                }
            }
        } catch (IOException closingAFullFile) {
            // what could not be written is not there
        }
    }

    private void freeDisk() throws IOException {
        Files.delete(disk.resolve("filler"));
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out + " (the tests run as root, as CI does)").isZero();
    }

    private static List<String> names(Slipway slipway) {
        return slipway.listServices(new ListServicesRequest(null, null)).serviceSummaryList().stream()
                .map(ServiceSummary::serviceName).toList();
    }

    private static Service describe(Slipway slipway, String arn) {
        return slipway.describeService(new DescribeServiceRequest(arn)).service();
    }
}
