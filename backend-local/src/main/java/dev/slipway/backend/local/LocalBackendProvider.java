package dev.slipway.backend.local;

import dev.slipway.core.spi.BackendContext;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.ComputeBackendProvider;

/** Provides the {@code local} backend: instances are OS processes on this host. */
public final class LocalBackendProvider implements ComputeBackendProvider {
    @Override
    public String name() {
        return "local";
    }

    @Override
    public ComputeBackend create(BackendContext context) {
        return new LocalBackend(context.workDir(), ProcessRegistry.defaultRegistry());
    }
}
