package dev.slipway.backend.local;

import dev.slipway.core.build.BuildPlan;
import dev.slipway.core.model.Runtime;
import dev.slipway.core.spi.BuildListener;
import dev.slipway.core.spi.InstanceEvent;
import dev.slipway.core.spi.InstanceListener;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.Resources;
import dev.slipway.core.spi.RevisionSource;
import dev.slipway.core.spi.RunConfiguration;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.RevisionSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A JVM that starts an instance through the local backend, prints the instance's child pid and then waits to be
 * killed with SIGKILL, so that its instance is left orphaned (with a third argument {@code durable}: kept for a control
 * plane on the same work directory). Run by {@link OrphanReapingTest}.
 */
public final class OrphanMaker {
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        ProcessRegistry registry = new ProcessRegistry(Path.of(args[1]));
        if (args.length > 2 && args[2].equals("durable")) {
            registry.keepInstancesFor(work);
        }
        LocalBackend backend = new LocalBackend(work, registry);
        Path src = Files.createDirectories(work.resolve("src"));
        BuildPlan plan = new BuildPlan(Runtime.PYTHON_3, Optional.empty(), List.of(), List.of(), List.of(), Map.of(),
                "sleep 600 & echo child=$!; wait", 8080, Optional.empty(), Map.of(), Map.of());
        PreparedRevision revision = backend.prepare(new RevisionSpec("orphan", "svc", "rev", new RevisionSource.Build(src, plan),
                new RunConfiguration(Optional.of(plan.startCommand()), 8080, Optional.empty(), Map.of(), Map.of(), Resources.DEFAULT)),
                BuildListener.DISCARD);
        backend.start(revision, new InstanceSpec("orphan-maker", "arn:aws:apprunner:us-east-1:000000000000:service/orphan/svc",
                "orphan", "rev", "orphan-instance"), new InstanceListener() {
            @Override
            public void output(String line) {
                System.out.println(line);
                System.out.flush();
            }

            @Override
            public void onEvent(InstanceEvent event) {
            }
        });
        Thread.currentThread().join();
    }
}
