package dev.slipway.core.observe;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    private final Map<Path, BufferedWriter> writers = new ConcurrentHashMap<>();

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
        flush(file);
        if (!Files.exists(file)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.map(l -> l.substring(l.indexOf(' ') + 1)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void append(String serviceName, String stream, Path file, String line) {
        BufferedWriter writer = writers.computeIfAbsent(file, f -> {
            try {
                Files.createDirectories(f.getParent());
                return Files.newBufferedWriter(f, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        synchronized (writer) {
            try {
                writer.write(Instant.now() + " " + line);
                writer.newLine();
                writer.flush();
            } catch (IOException e) {
                // a log that cannot be written must not fail the work it describes
            }
        }
        for (LogListener listener : listeners) {
            listener.onLine(serviceName, stream, line);
        }
    }

    private void flush(Path file) {
        BufferedWriter writer = writers.get(file);
        if (writer != null) {
            synchronized (writer) {
                try {
                    writer.flush();
                } catch (IOException ignored) {
                    // read what is there
                }
            }
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

    private static void closeQuietly(BufferedWriter w) {
        synchronized (w) {
            try {
                w.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
