package dev.slipway.core.spi;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a backend is given when it is created: a directory of its own that survives restarts of the same setup, and
 * the settings given for backends ({@code Slipway.Builder#backendSetting}), each named {@code <backend>.<key>}.
 */
public record BackendContext(Path workDir, Map<String, String> settings) {
    public BackendContext {
        settings = Map.copyOf(settings);
    }

    public BackendContext(Path workDir) {
        this(workDir, Map.of());
    }

    public Optional<String> setting(String name) {
        return Optional.ofNullable(settings.get(name));
    }
}
