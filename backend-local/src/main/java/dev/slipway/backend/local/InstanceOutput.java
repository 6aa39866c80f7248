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
 * kept beside it ({@code <id>.pos}, written after each read), so a control plane that adopts the instance after a
 * restart goes on from there: no line lost, none twice (but for those of one read, if the JVM dies between handing
 * them on and writing the position). What was followed gives its disk space back: every 64 MiB, the part of the file
 * before the position is punched out ({@code fallocate --punch-hole}; the file keeps its length, sparse, and the
 * processes append on). Both files live in the backend's own directory, which the apps' account cannot read, and are
 * deleted when the instance is stopped.
 */
final class InstanceOutput {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InstanceOutput.class);
    private static final int MAX_LINE = 64 * 1024;
    private static final long POLL_MILLIS = 100;
    static final long PUNCH_EVERY = 64L * 1024 * 1024;
    private static final long BLOCK = 4096;

    private final Path file;
    private final Path position;
    private final long punchEvery;

    InstanceOutput(Path dir, String instanceId) {
        this(dir, instanceId, PUNCH_EVERY);
    }

    /** @param punchEvery how much followed output is kept on disk at most before it is punched out */
    InstanceOutput(Path dir, String instanceId, long punchEvery) {
        this.file = dir.resolve(instanceId + ".out");
        this.position = dir.resolve(instanceId + ".pos");
        this.punchEvery = punchEvery;
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
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel mark = FileChannel.open(position, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long pos = Math.min(savedPosition(), in.size());
            long saved = pos;
            long punched = 0; // the first punch covers what came before (punching a hole again costs nothing)
            boolean punching = true;
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
                if (pos != saved) {
                    savePosition(mark, pos);
                    saved = pos;
                }
                if (punching && pos - punched >= punchEvery) {
                    long upTo = pos / BLOCK * BLOCK;
                    punching = punch(punched, upTo);
                    punched = upTo;
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

    /** One positional write, padded (no sync: it must outlive this JVM, not the machine). */
    private static void savePosition(FileChannel mark, long pos) {
        try {
            mark.write(ByteBuffer.wrap(String.format("%-20d", pos).getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException ignored) {
            // at worst, lines after the last position written are read again after a restart
        }
    }

    /** Frees the disk blocks of {@code [from, to)}, followed already; false if this file system cannot (then never again). */
    private boolean punch(long from, long to) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("fallocate", "--punch-hole", "--offset", Long.toString(from), "--length",
                    Long.toString(to - from), file.toString()).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() == 0) {
                return true;
            }
            LOG.warn("cannot give back the disk space of {}'s output already followed ({}): it grows while the instance runs", file, said);
        } catch (IOException e) {
            LOG.warn("cannot give back the disk space of {}'s output already followed ({}): it grows while the instance runs", file, e.toString());
        }
        return false;
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
