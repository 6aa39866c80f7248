package dev.slipway.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process in the middle of its commits, many times over on the same database: no commit it was told
 * succeeded is lost, and no commit is half there (each commit writes the same number into two documents and deletes a
 * third that the previous one wrote; after any crash they agree).
 */
class StateCrashTest {
    @TempDir
    Path tmp;

    @Test
    void killDashNineMidCommitNeverLosesAnAcknowledgedCommitNorLeavesHalfOfOne() throws Exception {
        Path db = tmp.resolve("state.db");
        long acknowledged = 0;
        for (int run = 0; run < 12; run++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Writer.class.getName(), db.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            long killAfter = acknowledged + 20 + ThreadLocalRandom.current().nextInt(200);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                for (String line; (line = out.readLine()) != null; ) {
                    acknowledged = Long.parseLong(line);
                    if (acknowledged >= killAfter) {
                        child.destroyForcibly(); // SIGKILL, while it goes on committing
                        break;
                    }
                }
            }
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            try (SqliteStateStore store = new SqliteStateStore(db)) {
                Map<String, String> documents = store.load().orElseThrow().documents();
                long a = Long.parseLong(documents.get("a"));
                assertThat(a).as("run %d: acknowledged %d", run, acknowledged).isGreaterThanOrEqualTo(acknowledged);
                assertThat(documents.get("b")).as("both documents of one commit").isEqualTo(documents.get("a"));
                assertThat(documents).as("the previous commit's document is deleted with it").doesNotContainKey("n" + (a - 1))
                        .containsKey("n" + a);
                acknowledged = a;
            }
        }
    }

    /** Commits without end, each after the last one read back, printing the number of each once it returned. */
    public static final class Writer {
        public static void main(String[] args) {
            try (SqliteStateStore store = new SqliteStateStore(Path.of(args[0]))) {
                long n = store.load().map(s -> Long.parseLong(s.documents().get("a"))).orElse(0L);
                String padding = "x".repeat(ThreadLocalRandom.current().nextInt(100, 20_000));
                while (true) {
                    n++;
                    store.commit(new StateCommit(3, Map.of("a", String.valueOf(n), "b", String.valueOf(n),
                            "n" + n, padding), Set.of("n" + (n - 1))));
                    System.out.println(n);
                    System.out.flush();
                }
            }
        }
    }
}
