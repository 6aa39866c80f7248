package dev.slipway.core.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The state as one JSON file, replaced atomically on every change: written to a temporary file, forced to disk,
 * then renamed over the old one, so a crash at any point leaves either the old or the new state. The file holds
 * connection tokens and secret values, so it is readable by its owner only (mode 0600). At the control plane's
 * scale (tens of resources) a whole-state write per change is a few kilobytes.
 */
public final class FileStateStore implements StateStore {
    private static final ObjectMapper MAPPER = StateJson.MAPPER;

    private final Path file;

    public FileStateStore(Path file) {
        this.file = file;
    }

    @Override
    public Optional<ControlPlaneState> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(StateJson.checked(MAPPER.readValue(file.toFile(), ControlPlaneState.class)));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read Slipway's state from " + file + " (" + e.getMessage()
                    + "); move the file away to start empty, or restore it from a backup", e);
        }
    }

    @Override
    public void save(ControlPlaneState state) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(state)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save Slipway's state to " + file, e);
        }
    }
}
