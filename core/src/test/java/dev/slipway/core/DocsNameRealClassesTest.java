package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The docs name only classes that exist: every {@code `Name.java`} and every class-like name in backticks that ends
 * as our tests and components do ({@code Test}, {@code IT}, {@code Contract}, {@code Backend}, {@code Reconciler},
 * {@code Store}, {@code Framer}, {@code Handler}, {@code Actions}, {@code State}), and every {@code `Name.method(`},
 * in README.md and docs/*.md is a {@code Name.java} somewhere in the repository.
 */
class DocsNameRealClassesTest {
    private static final Pattern NAMED = Pattern.compile(
            "`([A-Z][A-Za-z0-9]*(?:Test|IT|Contract|Backend|Reconciler|Store|Framer|Handler|Actions|State))(?:\\.java)?`|`([A-Z][A-Za-z0-9]*)\\.java`|`([A-Z][A-Za-z0-9]*)\\.[a-z][A-Za-z0-9]*\\(");

    @Test
    void everyClassTheDocsNameExists() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Set<String> sources;
        try (Stream<Path> files = Files.walk(root)) {
            sources = files.filter(f -> f.toString().endsWith(".java") && !f.toString().contains("/target/") && !f.toString().contains("/.git/"))
                    .map(f -> f.getFileName().toString().replace(".java", "")).collect(Collectors.toSet());
        }
        Set<String> missing = new TreeSet<>();
        try (Stream<Path> docs = Stream.concat(Stream.of(root.resolve("README.md")), Files.list(root.resolve("docs"))
                .filter(f -> f.toString().endsWith(".md")))) {
            for (Path doc : docs.toList()) {
                Matcher m = NAMED.matcher(Files.readString(doc));
                while (m.find()) {
                    String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
                    if (!sources.contains(name)) {
                        missing.add(root.relativize(doc) + ": " + name);
                    }
                }
            }
        }
        assertThat(missing).as("names in the docs that no .java file defines").isEmpty();
    }
}
