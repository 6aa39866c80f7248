package dev.slipway.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.spi.BackendContext;
import dev.slipway.core.spi.BuildListener;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.InstanceEvent;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceListener;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.InstanceUsage;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.Resources;
import dev.slipway.core.spi.RevisionSource;
import dev.slipway.core.spi.RevisionSpec;
import dev.slipway.core.spi.RunConfiguration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CPU and memory an instance uses come from the engine's stats, with the limit InstanceConfiguration set. */
class DockerUsageTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        Docker.requireEngineAndBusybox();
    }

    @Test
    void aBusyInstanceShowsItsCpuAndMemoryAgainstItsLimit() throws Exception {
        ComputeBackend backend = new DockerBackendProvider().create(new BackendContext(tmp));
        try {
            PreparedRevision revision = backend.prepare(new RevisionSpec("usage", "usage-id", "r1", new RevisionSource.Image(Docker.BUSYBOX),
                    new RunConfiguration(Optional.of("while :; do :; done"), 8080, Optional.empty(), Map.of(), Map.of(),
                            new Resources(1024, 512))), BuildListener.DISCARD);
            AtomicReference<InstanceEvent> last = new AtomicReference<>();
            InstanceHandle busy = backend.start(revision, new InstanceSpec("usage-test", "arn:usage", "usage", "r1", "i1"),
                    new InstanceListener() {
                        @Override
                        public void output(String line) {
                        }

                        @Override
                        public void onEvent(InstanceEvent event) {
                            last.set(event);
                        }
                    });
            AtomicReference<InstanceUsage> seen = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                backend.usage(busy).ifPresent(seen::set);
                return seen.get() != null && seen.get().cpu() > 0.3;
            });
            assertThat(seen.get().memoryLimitBytes()).isEqualTo(512L * 1024 * 1024);
            assertThat(seen.get().memoryBytes()).isPositive().isLessThan(512L * 1024 * 1024);
            assertThat(seen.get().cpu()).as("limited to one vCPU").isLessThan(1.2);

            backend.stop(busy, Duration.ofSeconds(5));
            assertThat(backend.usage(busy)).isEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> last.get() instanceof InstanceEvent.Exited e && e.reason().equals("stopped"));
        } finally {
            backend.close();
        }
    }
}
