package dev.slipway.backend.local;

import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.ComputeBackendContract;
import java.nio.file.Path;

/** The local backend passes the shared backend contract. */
class LocalBackendContractTest extends ComputeBackendContract {
    @Override
    protected ComputeBackend createBackend(Path workDir) {
        return new LocalBackend(workDir, new ProcessRegistry(workDir.resolve("registry")));
    }

    @Override
    protected String bindAddress() {
        return "127.0.0.1";
    }
}
