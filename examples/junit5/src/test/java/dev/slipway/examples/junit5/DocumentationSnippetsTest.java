package dev.slipway.examples.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Java snippets README.md and docs/user-guide.md mark with {@code <!-- snippet: path -->} are the files at those
 * paths (without their package line), and those marked {@code <!-- snippet: path#name -->} the lines between
 * {@code // snippet:name} and {@code // end-snippet:name} there (without their common indentation): code the build
 * compiles and runs, so the docs show code that works.
 */
class DocumentationSnippetsTest {
    private static final Path ROOT = Path.of("../..");
    private static final Pattern SNIPPET = Pattern.compile("<!-- snippet: (\\S+) -->\\n```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyMarkedSnippetIsTheCompiledFileItNames() throws IOException {
        List<String> checked = new ArrayList<>();
        for (String doc : List.of("README.md", "docs/user-guide.md")) {
            Matcher m = SNIPPET.matcher(Files.readString(ROOT.resolve(doc)));
            while (m.find()) {
                String[] ref = m.group(1).split("#", 2);
                String file = Files.readString(ROOT.resolve(ref[0]));
                String source = ref.length == 1 ? file.replaceFirst("^package [^;]+;\\n\\n", "") : region(file, ref[1]);
                assertThat(m.group(2)).as(doc + " shows " + m.group(1) + " as it is").isEqualTo(source);
                checked.add(doc + ": " + m.group(1));
            }
        }
        assertThat(checked).as("snippets checked").hasSizeGreaterThanOrEqualTo(4);
    }

    private static String region(String file, String name) {
        String start = "// snippet:" + name + "\n";
        int from = file.indexOf(start);
        int to = file.indexOf("// end-snippet:" + name);
        assertThat(from).as("region " + name).isNotNegative();
        List<String> lines = List.of(file.substring(from + start.length(), file.lastIndexOf('\n', to) + 1).split("\n"));
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder out = new StringBuilder();
        lines.forEach(l -> out.append(l.isBlank() ? "" : l.substring(indent)).append('\n'));
        return out.toString();
    }
}
