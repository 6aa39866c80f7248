package dev.slipway.backend.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a container's output was taken up to: the engine's timestamp of the last line handed on, written into a file
 * of its own with every line (one positional write, no sync: it must outlive the JVM, not the machine), so that a
 * control plane restarted after a crash follows the output on from the line after it: no gap, no line twice.
 */
final class OutputMark {
    private static final Logger LOG = LoggerFactory.getLogger(OutputMark.class);
    private static final int WIDTH = 40; // an RFC 3339 time with nanoseconds is 30 characters

    private OutputMark() {
    }

    /** The time of the last line taken from the container whose mark is {@code file}, if one was. */
    static Optional<Instant> read(Path file) {
        try {
            return Optional.of(Instant.parse(Files.readString(file, StandardCharsets.US_ASCII).trim()));
        } catch (IOException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", file, e.toString());
        }
    }

    /**
     * A container's log stream, requested with timestamps, as lines: each line's timestamp is cut off, lines not after
     * {@code after} are skipped (they were taken before), and each line handed on is marked in {@code file}.
     */
    static ResultCallback.Adapter<Frame> follow(Path file, Optional<Instant> after, Consumer<String> lines) {
        FileChannel channel;
        try {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            LOG.warn("cannot keep the output position in {} ({}): a restart after a crash may miss or repeat lines", file, e.toString());
            channel = null;
        }
        FileChannel mark = channel;
        return new FrameLines(line -> {
            int space = line.indexOf(' ');
            Instant at;
            try {
                at = Instant.parse(space < 0 ? line : line.substring(0, space));
            } catch (DateTimeParseException e) {
                lines.accept(line); // not a timestamp: a long line the engine split, continued
                return;
            }
            if (after.isPresent() && !at.isAfter(after.get())) {
                return;
            }
            lines.accept(space < 0 ? "" : line.substring(space + 1));
            write(mark, at);
        }) {
            @Override
            public void close() throws IOException {
                super.close();
                if (mark != null) {
                    mark.close();
                }
            }
        };
    }

    private static void write(FileChannel mark, Instant at) {
        if (mark == null) {
            return;
        }
        byte[] text = String.format("%-" + WIDTH + "s", at).getBytes(StandardCharsets.US_ASCII);
        try {
            mark.write(ByteBuffer.wrap(text), 0);
        } catch (IOException e) {
            LOG.debug("cannot write the output position: {}", e.toString());
        }
    }
}
