package dev.slipway.core.observe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * The log streams of the guide's "Log groups and streams": per service, {@code events},
 * {@code deployment/<operation-id>} and {@code instance/<instance-id>}. Each stream is a file
 * {@code <logDir>/<service-name>/<stream>.log}, each line prefixed with an ISO-8601 timestamp.
 */
public final class LogStreams implements AutoCloseable {
    private final Path logDir;
    private final List<LogListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<Path, LogFile> writers = new ConcurrentHashMap<>();

    private final java.util.concurrent.atomic.AtomicLong lostLines = new java.util.concurrent.atomic.AtomicLong();

    /** Lines no file took (a full disk) since this was made: the meter {@code slipway.log.lines.lost}. */
    public long lostLines() {
        return lostLines.get();
    }

    public LogStreams(Path logDir) {
        this.logDir = logDir;
    }

    public void addListener(LogListener listener) {
        listeners.add(listener);
    }

    /** A sink that appends to stream {@code stream} of service {@code serviceName}. */
    public LogSink sink(String serviceName, String stream) {
        Path file = file(serviceName, stream);
        return line -> append(serviceName, stream, file, line);
    }

    /** The file of a stream. */
    public Path file(String serviceName, String stream) {
        return logDir.resolve(serviceName).resolve(stream + ".log");
    }

    /** The lines of a stream so far, without timestamps; empty if it has none. */
    public List<String> read(String serviceName, String stream) {
        Path file = file(serviceName, stream);
        if (!Files.exists(file)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.map(l -> l.substring(l.indexOf(' ') + 1)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of the services that have logs here, sorted. */
    public List<String> services() {
        return list(logDir).filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
    }

    /**
     * The streams of a service: {@code events} first, then {@code deployment/<operation-id>} and then
     * {@code instance/<instance-id>}, each kind oldest first.
     */
    public List<String> streams(String serviceName) {
        Path dir = logDir.resolve(serviceName);
        List<String> names = new java.util.ArrayList<>();
        if (Files.exists(dir.resolve("events.log"))) {
            names.add("events");
        }
        for (String kind : List.of("deployment", "instance")) {
            list(dir.resolve(kind)).filter(f -> f.toString().endsWith(".log"))
                    .sorted(java.util.Comparator.comparingLong(LogStreams::modified))
                    .forEach(f -> names.add(kind + "/" + f.getFileName().toString().replaceAll("\\.log$", "")));
        }
        return names;
    }

    /** Reads a stream as it grows: each {@link Tail#next()} returns the complete lines written since the last. */
    public Tail tail(String serviceName, String stream) {
        return new Tail(file(serviceName, stream));
    }

    /** A reader of one stream's new lines (with their timestamps), for {@code slipway logs --follow}. */
    public static final class Tail {
        private final Path file;
        private long offset;

        private Tail(Path file) {
            this.file = file;
        }

        /** The complete lines appended since the last call; none while the stream does not exist yet. */
        public List<String> next() throws IOException {
            if (!Files.exists(file)) {
                return List.of();
            }
            try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(file)) {
                long size = ch.size();
                if (size <= offset) {
                    return List.of();
                }
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(size - offset, 16 << 20));
                ch.position(offset);
                while (buf.hasRemaining() && ch.read(buf) > 0) {
                    // fill
                }
                byte[] bytes = java.util.Arrays.copyOf(buf.array(), buf.position());
                int end = bytes.length - 1;
                while (end >= 0 && bytes[end] != '\n') {
                    end--;
                }
                if (end < 0) {
                    return List.of();
                }
                offset += end + 1;
                return List.of(new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n", -1));
            }
        }
    }

    private static Stream<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Stream.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private void append(String serviceName, String stream, Path file, String line) {
        LogFile writer = writers.computeIfAbsent(file, f -> {
            try {
                Files.createDirectories(f.getParent());
                dev.slipway.core.internal.PrivateFiles.file(f); // 0600: other services' code never reads it
                return new LogFile(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        // a line that cannot be written must not fail the work it describes: it is counted, and said once it can be
        if (!writer.append(Instant.now().toString(), line)) {
            lostLines.incrementAndGet();
        }
        for (LogListener listener : listeners) {
            listener.onLine(serviceName, stream, line);
        }
    }

    /** Closes the files of one service's streams, e.g. after it was deleted. */
    public void closeService(String serviceName) {
        Path dir = logDir.resolve(serviceName);
        writers.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(dir)) {
                closeQuietly(e.getValue());
                return true;
            }
            return false;
        });
    }

    @Override
    public void close() {
        writers.values().forEach(LogStreams::closeQuietly);
        writers.clear();
    }

    private static void closeQuietly(LogFile f) {
        f.close();
    }
}
