package dev.slipway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance's output file followed into its log: every line once, in order, across a restart of the follower
 * (another control plane taking over), and the disk space of what was followed given back while the file grows.
 */
class InstanceOutputTest {
    @TempDir
    Path dir;

    @Test
    void everyLineOnceAcrossARestartAndWhatWasFollowedGivesItsDiskSpaceBack() throws Exception {
        InstanceOutput first = new InstanceOutput(dir, "i1", 1024 * 1024);
        append(1, 60_000); // about 4 MiB
        List<String> lines = new ArrayList<>();
        first.follow(lines::add, () -> false);

        append(60_001, 70_000); // written while no one followed
        new InstanceOutput(dir, "i1", 1024 * 1024).follow(lines::add, () -> false);

        assertThat(lines).isEqualTo(IntStream.rangeClosed(1, 70_000).mapToObj(InstanceOutputTest::line).toList());
        long size = Files.size(first.file());
        assertThat(allocatedBytes(first.file())).as("disk used by a %s-byte output file, followed to its end", size)
                .isLessThan(1024 * 1024 + 64 * 1024);
    }

    private void append(int from, int to) throws IOException {
        try (Writer w = Files.newBufferedWriter(dir.resolve("i1.out"), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            for (int i = from; i <= to; i++) {
                w.write(line(i) + "\n");
            }
        }
    }

    private static String line(int i) {
        return "line " + i + " of an app that logs a lot ......................................";
    }

    /** What the file takes on disk (st_blocks), as {@code stat} says. */
    private static long allocatedBytes(Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String[] out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split(" ");
        p.waitFor();
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }
}
