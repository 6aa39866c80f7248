package dev.slipway.core.spi;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a backend is given when it is created: a directory of its own that survives restarts of the same setup, and
 * the settings given for backends ({@code SlipwayBuilder#backendSetting}), each named {@code <backend>.<key>}.
 *
 * @param durable whether a later run starts on the same {@code workDir} again (a state directory the user gave, not a
 *                temporary one): instances that a crash of this run leaves are then kept for that run to adopt, as
 *                long as {@code workDir} exists, and not reaped as orphans by other control planes meanwhile
 */
public record BackendContext(Path workDir, Map<String, String> settings, boolean durable) {
    public BackendContext {
        settings = Map.copyOf(settings);
    }

    public BackendContext(Path workDir, Map<String, String> settings) {
        this(workDir, settings, false);
    }

    public BackendContext(Path workDir) {
        this(workDir, Map.of());
    }

    public Optional<String> setting(String name) {
        return Optional.ofNullable(settings.get(name));
    }
}
