package dev.slipway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control plane killed with SIGKILL leaves its instances running; the next local backend reaps them when asked to,
 * unless they belong to a durable control plane whose work directory still exists (kept for it to claim).
 */
class OrphanReapingTest {
    @TempDir
    Path tmp;

    @Test
    void instancesOfAKilledJvmAreStoppedByTheNextBackend() throws Exception {
        Path registry = tmp.resolve("registry");
        long child = orphan(registry, "ephemeral");

        LocalBackend next = new LocalBackend(tmp.resolve("work2"), new ProcessRegistry(registry));
        assertThat(next.reapOrphans()).isEqualTo(1);
        next.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void instancesOfAKilledDurableControlPlaneAreKeptForItWhileItsDirectoryExists() throws Exception {
        Path registry = tmp.resolve("registry");
        long child = orphan(registry, "durable");

        LocalBackend other = new LocalBackend(tmp.resolve("other"), new ProcessRegistry(registry));
        assertThat(other.reapOrphans()).as("another control plane started meanwhile").isZero();
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).as("kept for its own control plane").contains(true);

        dev.slipway.core.source.SourceFetcher.deleteTree(tmp.resolve("work"));
        assertThat(other.reapOrphans()).as("its state directory is gone: nothing will claim it").isEqualTo(1);
        other.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
    }

    /** Starts an instance in a JVM that is then killed with SIGKILL; returns the instance's child process. */
    private long orphan(Path registry, String kind) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process jvm = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OrphanMaker.class.getName(), tmp.resolve("work").toString(), registry.toString(), kind)
                .redirectErrorStream(true).start();
        long child;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("child=")) {
                // wait for the instance to report its child
            }
            assertThat(line).as("output of the orphan maker").isNotNull();
            child = Long.parseLong(line.substring("child=".length()));
        }
        jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).as("orphan still running").contains(true);
        return child;
    }
}
