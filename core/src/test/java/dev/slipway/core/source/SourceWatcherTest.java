package dev.slipway.core.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watch of {@code up --watch} on a real directory: what it reports, what it ignores, and that saves settle into one call. */
class SourceWatcherTest {
    @TempDir
    Path dir;

    @Test
    void changesSettleIntoOneCallAndWhatIsIgnoredCallsNothing() throws Exception {
        Files.writeString(dir.resolve(".gitignore"), "*.log\nsecrets/\n");
        Files.writeString(dir.resolve("app.py"), "print(1)\n");
        Files.createDirectories(dir.resolve("node_modules/left-pad"));
        Files.createDirectories(dir.resolve(".git"));
        List<Set<Path>> calls = new CopyOnWriteArrayList<>();
        try (SourceWatcher watcher = SourceWatcher.start(dir, Duration.ofMillis(150), (changed, first) -> calls.add(changed))) {
            // ignored: .gitignore's patterns, .git, package managers' and editors' files
            Files.writeString(dir.resolve("server.log"), "x");
            Files.createDirectories(dir.resolve("secrets"));
            Files.writeString(dir.resolve("secrets/key"), "x");
            Files.writeString(dir.resolve("node_modules/left-pad/index.js"), "x");
            Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/main\n");
            Files.writeString(dir.resolve(".app.py.swp"), "x");
            Files.writeString(dir.resolve("app.py~"), "x");
            Files.writeString(dir.resolve("sedTmp123"), "x"); // made and removed at once, as sed -i and editors do
            Files.delete(dir.resolve("sedTmp123"));
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(calls::isEmpty);

            // several saves in a row are one call; a new directory's files are seen
            Files.writeString(dir.resolve("app.py"), "print(2)\n");
            Files.writeString(dir.resolve("app.py"), "print(3)\n");
            Files.createDirectories(dir.resolve("lib"));
            Files.writeString(dir.resolve("lib/util.py"), "x = 1\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> !calls.isEmpty()
                    && calls.stream().flatMap(Set::stream).anyMatch(p -> p.endsWith("lib/util.py")));
            assertThat(calls.stream().flatMap(Set::stream).map(p -> dir.relativize(p).toString()))
                    .contains("app.py", "lib/util.py").doesNotContain("server.log", "secrets/key", ".app.py.swp");
            assertThat(calls.size()).as("saves within the debounce time settle into one call (or two, if lib/ came late)").isLessThanOrEqualTo(2);

            calls.clear();
            Files.delete(dir.resolve("lib/util.py"));
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.stream().flatMap(Set::stream).anyMatch(p -> p.endsWith("lib/util.py")));

            // a .gitignore changed is read again
            calls.clear();
            Files.writeString(dir.resolve(".gitignore"), "*.log\nsecrets/\n*.tmp\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> !calls.isEmpty());
            calls.clear();
            Files.writeString(dir.resolve("scratch.tmp"), "x");
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(calls::isEmpty);
            assertThat(watcher.ignored(dir.resolve("scratch.tmp"), false)).isTrue();
            assertThat(watcher.ignored(dir.resolve("build"), true)).isTrue();
            assertThat(watcher.ignored(dir.resolve("build.py"), false)).isFalse();
        }
    }
}
