package dev.slipway.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.model.Shapes;
import dev.slipway.core.observe.JsonLinesFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code slipway events} and {@code slipway audit} share: a {@link JsonLinesFile} of the state directory printed
 * record by record (those a filter keeps), and with {@code --follow} the new ones as they are appended: the file is
 * read on from where the last read ended (from the rotated file's rest when it was rotated meanwhile), not again.
 */
final class JsonLinesOptions {
    @Option(names = {"-f", "--follow"}, description = "Keep printing new records until Ctrl-C.")
    boolean follow;

    @Mixin
    StateDirOption stateDir;

    /**
     * Prints the records of {@code <state-dir>/<subdir>/<name>} that {@code keep} keeps; 1 (after saying so) when there
     * is none and nothing to follow.
     */
    int print(String subdir, String name, String command, String writtenBy, Predicate<JsonNode> keep, PrintWriter out,
              PrintWriter err) throws InterruptedException {
        Path dir = stateDir.path.resolve(subdir);
        if (!Files.isDirectory(dir) && !follow) {
            err.println("slipway " + command + ": no " + writtenBy + " in " + dir + "; it is written by 'slipway server "
                    + "--state-dir " + stateDir.path + "'");
            return 1;
        }
        Predicate<String> kept = line -> {
            try {
                return keep.test(Shapes.mapper().readTree(line));
            } catch (IOException e) {
                return false; // a line being written
            }
        };
        JsonLinesFile.lines(dir, name).stream().filter(kept).forEach(out::println);
        out.flush();
        Path file = dir.resolve(name);
        long offset = size(file);
        Object identity = identity(file);
        while (follow) {
            Thread.sleep(500); // following a file: polled, as tail -f does
            Object now = identity(file);
            if (!java.util.Objects.equals(now, identity) || size(file) < offset) {
                // rotated: the rest of what it was, then the new file from its start
                identity = now;
                readFrom(dir.resolve(name + ".1"), offset).stream().filter(kept).forEach(out::println);
                offset = 0;
            }
            List<String> lines = readFrom(file, offset);
            offset += lines.stream().mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length + 1L).sum();
            lines.stream().filter(kept).forEach(out::println);
            out.flush();
        }
        return 0;
    }

    /** The file's identity (its inode, where the file system has one): a rotation makes a new file. */
    private static Object identity(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The whole lines of {@code file} after byte {@code offset} (a line still being written is left for the next read). */
    private static List<String> readFrom(Path file, long offset) {
        List<String> lines = new ArrayList<>();
        if (!Files.exists(file)) {
            return lines;
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            if (offset >= in.length()) {
                return lines;
            }
            in.seek(offset);
            byte[] rest = new byte[(int) Math.min(Integer.MAX_VALUE, in.length() - offset)];
            in.readFully(rest);
            String text = new String(rest, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            if (end >= 0) {
                lines.addAll(List.of(text.substring(0, end).split("\n", -1)));
            }
        } catch (IOException e) {
            // gone meanwhile: the next read sees what is there
        }
        return lines;
    }
}
