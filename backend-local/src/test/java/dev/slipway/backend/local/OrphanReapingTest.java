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

/** A control plane killed with SIGKILL leaves its instances running; the next local backend reaps them when asked to. */
class OrphanReapingTest {
    @TempDir
    Path tmp;

    @Test
    void instancesOfAKilledJvmAreStoppedByTheNextBackend() throws Exception {
        Path registry = tmp.resolve("registry");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process jvm = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OrphanMaker.class.getName(), tmp.resolve("work").toString(), registry.toString())
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

        LocalBackend next = new LocalBackend(tmp.resolve("work2"), new ProcessRegistry(registry));
        assertThat(next.reapOrphans()).isEqualTo(1);
        next.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
    }
}
