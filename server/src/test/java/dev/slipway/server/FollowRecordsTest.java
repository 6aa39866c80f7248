package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.observe.JsonLinesFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code slipway events --follow} (and {@code slipway audit --follow}, which shares it) prints each record once, in
 * order, while the file is appended to and rotated under it, and a pattern keeps what it matches.
 */
class FollowRecordsTest {
    @TempDir
    Path state;

    @Test
    void followingPrintsEveryNewRecordOnceAcrossRotations() throws Exception {
        JsonLinesFile file = JsonLinesFile.open(state.resolve("events"), "events.log", 400, 5);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        file.append(json.createObjectNode().put("n", 0).put("kind", "even"));
        StringWriter printed = new StringWriter();
        Thread follower = new Thread(() -> new CommandLine(new SlipwayCli()).setOut(new PrintWriter(printed, true))
                .execute("events", "--follow", "--pattern", "{\"kind\": [\"even\"]}", "--state-dir", state.toString()));
        follower.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> printed.toString().contains("\"n\":0"));
            // 60 records of ~40 bytes through a 400-byte file: rotated many times while followed (in small batches,
            // as a server appends them, so that no rotated file is gone before it is read)
            for (int batch = 0; batch < 12; batch++) {
                int first = 1 + batch * 5;
                IntStream.range(first, first + 5).forEach(n -> file.append(json.createObjectNode().put("n", n)
                        .put("kind", n % 2 == 0 ? "even" : "odd")));
                await().atMost(Duration.ofSeconds(10)).until(() -> printed.toString().contains("\"n\":" + (first + 4 - (first + 4) % 2) + ","));
            }
            List<Integer> seen = printed.toString().lines().map(l -> Integer.parseInt(l.replaceAll(".*\"n\":(\\d+).*", "$1"))).toList();
            assertThat(seen).containsExactlyElementsOf(IntStream.rangeClosed(0, 60).filter(n -> n % 2 == 0).boxed().toList());
        } finally {
            follower.interrupt();
            follower.join(5000);
        }
    }
}
