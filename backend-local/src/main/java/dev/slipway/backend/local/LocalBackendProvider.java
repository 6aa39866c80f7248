package dev.slipway.backend.local;

import dev.slipway.core.spi.BackendContext;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.ComputeBackendProvider;
import java.nio.file.Path;
import java.util.Optional;

/** Provides the {@code local} backend: instances are OS processes on this host. */
public final class LocalBackendProvider implements ComputeBackendProvider {
    @Override
    public String name() {
        return "local";
    }

    @Override
    public ComputeBackend create(BackendContext context) {
        Optional<RunAs> runAs = context.setting("local.run-as").filter(user -> !user.equals(System.getProperty("user.name")))
                .map(user -> {
                    if (!RunAs.jvmIsRoot()) {
                        throw new IllegalArgumentException("local.run-as " + user + " needs Slipway to run as root, to switch users");
                    }
                    return RunAs.of(user, context.workDir(),
                            Path.of(context.setting("local.apps-dir").orElse("/var/lib/slipway/apps")));
                });
        ProcessRegistry registry = ProcessRegistry.defaultRegistry();
        if (context.durable()) {
            registry.keepInstancesFor(context.workDir());
        }
        return new LocalBackend(context.workDir(), registry, runAs);
    }
}
