package dev.slipway.backend.local;

import dev.slipway.core.observe.LogSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An instance's output, appended by its processes to a file of its own (so that they can write on when this JVM is
 * gone: a pipe would break) and followed from here line by line into the instance's log. How far it was followed is
 * kept beside it ({@code <id>.pos}, at most once a second), so a control plane that adopts the instance after a
 * restart goes on from there: no line twice, none lost. Both files live in the backend's own directory, which the
 * apps' account cannot read, and are deleted when the instance is stopped.
 */
final class InstanceOutput {
    private static final int MAX_LINE = 64 * 1024;
    private static final long POLL_MILLIS = 100;

    private final Path file;
    private final Path position;

    InstanceOutput(Path dir, String instanceId) {
        this.file = dir.resolve(instanceId + ".out");
        this.position = dir.resolve(instanceId + ".pos");
    }

    /** The file the instance's processes write to. */
    Path file() {
        return file;
    }

    /**
     * Follows the file into {@code sink} until {@code alive} says the instance ended and nothing more is in the file
     * (a last line without a line feed included), then returns. Call on a thread of its own.
     */
    void follow(LogSink sink, BooleanSupplier alive) {
        long saved = System.nanoTime();
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = Math.min(savedPosition(), in.size());
            in.position(pos);
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean ended = false;
            while (true) {
                buf.clear();
                int n = in.read(buf);
                if (n <= 0) {
                    if (ended) {
                        if (line.size() > 0) {
                            sink.line(line.toString(StandardCharsets.UTF_8));
                        }
                        return;
                    }
                    ended = !alive.getAsBoolean(); // once it ended, one more read takes what it wrote last
                    if (!ended) {
                        TimeUnit.MILLISECONDS.sleep(POLL_MILLIS); // tailing a file another process appends to
                    }
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    byte b = buf.get(i);
                    if (b == '\n' || line.size() == MAX_LINE) {
                        sink.line(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                        pos = in.position() - n + i + 1;
                        if (b == '\n') {
                            continue;
                        }
                    }
                    line.write(b);
                }
                if (System.nanoTime() - saved > TimeUnit.SECONDS.toNanos(1)) {
                    savePosition(pos);
                    saved = System.nanoTime();
                }
            }
        } catch (IOException e) {
            sink.line("[slipway] the instance's output could not be read further: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long savedPosition() {
        try {
            return Long.parseLong(Files.readString(position).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private void savePosition(long pos) {
        try {
            Files.writeString(position, Long.toString(pos));
        } catch (IOException ignored) {
            // at worst, lines after it are read again after a restart
        }
    }

    /** Deletes both files (the instance was stopped). */
    void delete() {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(position);
        } catch (IOException ignored) {
            // the backend's directory is cleaned with the state directory
        }
    }
}
