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
    /** The services whose streams are encrypted, and their keys. */
    private final Map<String, com.google.crypto.tink.Aead> sealing = new ConcurrentHashMap<>();
    /** The key of a key name (a KMS key ARN), for reading encrypted streams. */
    private volatile java.util.function.Function<String, java.util.Optional<com.google.crypto.tink.Aead>> keys =
            name -> java.util.Optional.empty();
    private static final String SEALED = "enc:v1:";
    private static final String KEY_FILE = "encryption-key";

    /** Lines no file took (a full disk) since this was made: the meter {@code slipway.log.lines.lost}. */
    public long lostLines() {
        return lostLines.get();
    }

    public LogStreams(Path logDir) {
        this.logDir = logDir;
    }

    /** How encrypted streams are read: the key of a key name (a KMS key ARN), if this reader has it. */
    public void keys(java.util.function.Function<String, java.util.Optional<com.google.crypto.tink.Aead>> lookup) {
        this.keys = lookup;
    }

    /**
     * Encrypts what {@code serviceName}'s streams get from now on with {@code aead}, the key of {@code keyName} (its
     * EncryptionConfiguration's KMS key ARN, written beside the streams so readers know which key opens them): each
     * line's text becomes {@code enc:v1:<base64 ciphertext>}, its timestamp stays readable.
     */
    public void encrypt(String serviceName, String keyName, com.google.crypto.tink.Aead aead) {
        Path key = logDir.resolve(serviceName).resolve(KEY_FILE);
        try {
            Files.createDirectories(key.getParent());
            Files.writeString(key, keyName);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sealing.put(serviceName, aead);
    }

    private String seal(String serviceName, String stream, String line) {
        com.google.crypto.tink.Aead aead = sealing.get(serviceName);
        if (aead == null) {
            return line;
        }
        try {
            return SEALED + java.util.Base64.getEncoder().encodeToString(aead.encrypt(line.getBytes(StandardCharsets.UTF_8),
                    (serviceName + "/" + stream).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt a log line of " + serviceName, e);
        }
    }

    /** A line's text as it was written: decrypted if it was encrypted, and this reader has the key. */
    private String open(String serviceName, String stream, String text) {
        if (!text.startsWith(SEALED)) {
            return text;
        }
        String keyName;
        try {
            keyName = Files.readString(logDir.resolve(serviceName).resolve(KEY_FILE)).trim();
        } catch (IOException e) {
            return "[encrypted, and its key's name is missing]";
        }
        java.util.Optional<com.google.crypto.tink.Aead> aead = keys.apply(keyName);
        if (aead.isEmpty()) {
            return "[encrypted with " + keyName + ": give the master key (SLIPWAY_MASTER_KEY or --master-key-file) to read it]";
        }
        try {
            return new String(aead.get().decrypt(java.util.Base64.getDecoder().decode(text.substring(SEALED.length())),
                    (serviceName + "/" + stream).getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            return "[encrypted with " + keyName + ", and this key does not open it: is it the master key the state was written with?]";
        }
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
            return lines.map(l -> open(serviceName, stream, l.substring(l.indexOf(' ') + 1))).toList();
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
        return new Tail(file(serviceName, stream), line -> {
            int space = line.indexOf(' ');
            return space < 0 ? line : line.substring(0, space + 1) + open(serviceName, stream, line.substring(space + 1));
        });
    }

    /** A reader of one stream's new lines (with their timestamps), for {@code slipway logs --follow}. */
    public static final class Tail {
        private final Path file;
        private final java.util.function.UnaryOperator<String> opened;
        private long offset;

        private Tail(Path file, java.util.function.UnaryOperator<String> opened) {
            this.file = file;
            this.opened = opened;
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
                return java.util.Arrays.stream(new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n", -1)).map(opened).toList();
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
            if (closed) {
                return null; // a late line of work torn down with Slipway: no file is made in a state directory being removed
            }
            try {
                Files.createDirectories(f.getParent());
                dev.slipway.core.internal.PrivateFiles.file(f); // 0600: other services' code never reads it
                return new LogFile(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (writer == null) {
            return;
        }
        // a line that cannot be written must not fail the work it describes: it is counted, and said once it can be
        if (!writer.append(Instant.now().toString(), seal(serviceName, stream, line))) {
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

    /** Set by {@link #close}: lines that still come are dropped. */
    private volatile boolean closed;

    @Override
    public void close() {
        closed = true;
        writers.values().forEach(LogStreams::closeQuietly);
        writers.clear();
    }

    private static void closeQuietly(LogFile f) {
        f.close();
    }
}
