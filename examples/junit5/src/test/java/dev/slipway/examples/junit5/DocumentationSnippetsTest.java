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
 * paths (without their package line), which the build compiles and runs: the docs show code that works.
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
                String source = Files.readString(ROOT.resolve(m.group(1))).replaceFirst("^package [^;]+;\\n\\n", "");
                assertThat(m.group(2)).as(doc + " shows " + m.group(1) + " as it is").isEqualTo(source);
                checked.add(doc + ": " + m.group(1));
            }
        }
        assertThat(checked).as("snippets checked").hasSizeGreaterThanOrEqualTo(2);
    }
}
