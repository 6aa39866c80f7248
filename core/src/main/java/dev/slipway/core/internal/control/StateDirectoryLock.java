package dev.slipway.core.internal.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One Slipway per state directory: an OS file lock on {@code <state-dir>/lock}, held while it runs (released by the
 * OS when the process dies, even by kill -9), with the holder's pid and start time in the file so that a second one
 * can say who has it.
 */
public final class StateDirectoryLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private StateDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws IllegalStateException naming the holder when another Slipway has the directory */
    public static StateDirectoryLock acquire(Path stateDir) {
        Path file = stateDir.resolve("lock");
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this very process
            }
            if (lock == null) {
                ByteBuffer held = ByteBuffer.allocate(256);
                channel.read(held, 0);
                String holder = new String(held.array(), 0, held.position(), StandardCharsets.UTF_8).trim();
                channel.close();
                throw new IllegalStateException("The state directory " + stateDir + " is in use by another Slipway ("
                        + (holder.isEmpty() ? "unknown process" : holder) + "); stop it first, or give another --state-dir");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + ", since " + Instant.now())
                    .getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new StateDirectoryLock(channel, lock);
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // failing anyway
                }
            }
            throw new UncheckedIOException("cannot lock the state directory " + stateDir, e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the OS releases it with the process anyway
        }
    }
}
