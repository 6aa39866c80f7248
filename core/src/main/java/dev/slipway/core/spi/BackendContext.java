package dev.slipway.core.spi;

import java.nio.file.Path;

/** What a backend is given when it is created: a directory of its own that survives restarts of the same setup. */
public record BackendContext(Path workDir) {
}
