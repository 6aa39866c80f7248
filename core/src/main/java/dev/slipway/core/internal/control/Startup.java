package dev.slipway.core.internal.control;

import dev.slipway.core.spi.BackendContext;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.ComputeBackendProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.stream.Collectors;

/** What a Slipway finds when it starts: its backend, and the id of its control plane. */
public final class Startup {
    private Startup() {
    }

    /** The backend named {@code name}, found with {@link ServiceLoader}, created with its work directory and settings. */
    public static ComputeBackend loadBackend(String name, Path workDir, Map<String, String> settings, boolean durable) {
        List<ComputeBackendProvider> providers = ServiceLoader.load(ComputeBackendProvider.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        ComputeBackendProvider provider = providers.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No backend named '" + name + "' on the classpath; "
                        + "available: " + providers.stream().map(ComputeBackendProvider::name).collect(Collectors.joining(", "))
                        + (providers.isEmpty() ? "none (add dev.slipway:slipway-backend-local)" : "")));
        return provider.create(new BackendContext(workDir, settings, durable));
    }

    /** The id owner labels carry: kept in the state directory, so a restart on it adopts what the last run left. */
    public static String controlPlaneId(Path stateDir) {
        Path file = stateDir.resolve("control-plane-id");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            String id = UUID.randomUUID().toString();
            Files.writeString(file, id + "\n");
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }
}
