package dev.slipway.core.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Records as JSON lines appended to {@code <dir>/<name>} (0600, its directory 0700), rotated by size: {@code <name>.1}
 * is the newest rotated file, up to {@code keep} are kept, the oldest dropped. The audit trail and the events are
 * written so.
 */
public final class JsonLinesFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final String name;
    private final long maxBytes;
    private final int keep;

    private JsonLinesFile(Path dir, String name, long maxBytes, int keep) {
        this.dir = dir;
        this.name = name;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    /** The file {@code name} in {@code dir} (made 0700 if missing), rotated past {@code maxBytes}, {@code keep} rotated files kept. */
    public static JsonLinesFile open(Path dir, String name, long maxBytes, int keep) {
        try {
            dev.slipway.core.internal.PrivateFiles.directory(dir);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot create the directory " + dir + ": " + e.getMessage(), e);
        }
        return new JsonLinesFile(dir, name, maxBytes, keep);
    }

    /** Appends one record (one line); rotates first when the file is full. */
    public synchronized void append(JsonNode record) {
        Path file = dir.resolve(name);
        try {
            byte[] line = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
            if (Files.exists(file) && Files.size(file) + line.length > maxBytes) {
                rotate();
            }
            dev.slipway.core.internal.PrivateFiles.file(file); // made 0600 if new
            Files.write(file, line, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    private void rotate() throws IOException {
        Files.deleteIfExists(dir.resolve(name + "." + keep));
        for (int i = keep - 1; i >= 1; i--) {
            Path from = dir.resolve(name + "." + i);
            if (Files.exists(from)) {
                Files.move(from, dir.resolve(name + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(dir.resolve(name), dir.resolve(name + ".1"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Every record of the file {@code name} in {@code dir}, oldest first (rotated files first); none if there is none. */
    public static List<String> lines(Path dir, String name) {
        List<String> out = new ArrayList<>();
        String rotated = java.util.regex.Pattern.quote(name) + "\\.\\d+";
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().matches(rotated))
                    .sorted((a, b) -> Integer.compare(suffix(b), suffix(a))).toList()) {
                out.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
            }
            Path current = dir.resolve(name);
            if (Files.exists(current)) {
                out.addAll(Files.readAllLines(current, StandardCharsets.UTF_8));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(name), e);
        }
        return out;
    }

    private static int suffix(Path p) {
        String n = p.getFileName().toString();
        return Integer.parseInt(n.substring(n.lastIndexOf('.') + 1));
    }
}
