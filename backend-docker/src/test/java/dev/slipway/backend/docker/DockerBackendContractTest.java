package dev.slipway.backend.docker;

import dev.slipway.core.spi.BackendContext;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.ComputeBackendContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/** The Docker backend passes the shared backend contract, building on a local Debian python3 base image. */
class DockerBackendContractTest extends ComputeBackendContract {
    @BeforeAll
    static void engine() {
        Docker.requireEngineAndBusybox();
        Docker.requireDebianPython();
    }

    @Override
    protected ComputeBackend createBackend(Path workDir) {
        return new DockerBackendProvider().create(new BackendContext(workDir, Map.of("docker.base-image.python3", Docker.DEBIAN_PYTHON)));
    }

    @Override
    protected String bindAddress() {
        return "127.0.0.1";
    }
}
