package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * README.md and docs/ say what the code does, where a machine can check it: every option they give a {@code slipway}
 * command exists on that command, every test they cite by name exists, and the jar is the size they say (an
 * integration test, so that the jar is built).
 */
class DocumentationIT {
    private static final Path ROOT = Path.of("..");
    /** {@code slipway up ...}, {@code slipway.jar server ...}, {@code slipway connection complete ...}: the command, then the rest. */
    private static final Pattern COMMAND = Pattern.compile("slipway(?:\\.jar)? (up|server|logs|init|connection complete)\\b([^`|#;&]*)");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--[a-z][a-z0-9-]*)");
    private static final Pattern TEST_NAME = Pattern.compile("`([A-Z][A-Za-z0-9]+(?:Test|IT))(?:[#.][A-Za-z0-9*]+)?`");

    @Test
    void everyOptionTheDocsGiveACommandExistsOnIt() throws IOException {
        CommandLine cli = new CommandLine(new SlipwayCli());
        List<String> wrong = new ArrayList<>();
        for (Path doc : docs()) {
            List<String> lines = Files.readAllLines(doc);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = COMMAND.matcher(lines.get(i));
                while (m.find()) {
                    CommandLine command = cli;
                    for (String word : m.group(1).split(" ")) {
                        command = command.getSubcommands().get(word);
                    }
                    Matcher o = OPTION.matcher(m.group(2));
                    while (o.find()) {
                        if (command.getCommandSpec().findOption(o.group(1)) == null) {
                            wrong.add(ROOT.relativize(doc) + ":" + (i + 1) + ": slipway " + m.group(1) + " has no option " + o.group(1));
                        }
                    }
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void everyTestTheDocsCiteExists() throws IOException {
        Set<String> tests = new HashSet<>();
        try (Stream<Path> files = Files.walk(ROOT, 12)) {
            files.filter(p -> p.toString().contains("/src/test/java/") && p.toString().endsWith(".java"))
                    .forEach(p -> tests.add(p.getFileName().toString().replace(".java", "")));
        }
        List<String> missing = new ArrayList<>();
        for (Path doc : docs()) {
            Matcher m = TEST_NAME.matcher(Files.readString(doc));
            while (m.find()) {
                if (!tests.contains(m.group(1))) {
                    missing.add(ROOT.relativize(doc) + ": " + m.group(1));
                }
            }
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void theJarIsTheSizeTheUserGuideSays() throws IOException {
        Matcher said = Pattern.compile("slipway\\.jar, about (\\d+) MB").matcher(Files.readString(ROOT.resolve("docs/user-guide.md")));
        assertThat(said.find()).as("docs/user-guide.md gives the jar's size").isTrue();
        double mb = Files.size(Path.of("target", "slipway.jar")) / 1024.0 / 1024.0;
        assertThat(mb).as("the jar's size in MB, against the guide's %s", said.group(1))
                .isBetween(Integer.parseInt(said.group(1)) * 0.8, Integer.parseInt(said.group(1)) * 1.2);
    }

    private static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }
}
