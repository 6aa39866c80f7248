package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's {@code --help} reads as prose at any width: a subcommand lists with a header of its own (not the first
 * line of its description, cut), and description paragraphs are whole (picocli wraps each element at the terminal's
 * width, so an element that ends mid-sentence leaves a short line in the middle of a paragraph).
 */
class CommandHelpTest {
    @Test
    void everyCommandHasAHeaderAndWholeParagraphs() {
        List<CommandLine> all = new ArrayList<>();
        collect(new CommandLine(new SlipwayCli()), all);
        assertThat(all).hasSizeGreaterThan(5);
        for (CommandLine c : all) {
            String name = c.getCommandSpec().qualifiedName();
            if (c.getParent() != null) {
                assertThat(c.getCommandSpec().usageMessage().header()).as("%s's header", name).isNotEmpty();
            }
            for (String paragraph : c.getCommandSpec().usageMessage().description()) {
                assertThat(paragraph.isEmpty() || paragraph.startsWith("  ") || paragraph.matches("(?s).*[.:)](%n)?$"))
                        .as("%s's description has a paragraph cut mid-sentence: %s", name, paragraph).isTrue();
            }
            String help = c.getUsageMessage(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
            assertThat(help.lines()).as("%s --help at 80 columns", name).allMatch(l -> l.length() <= 80);
        }
    }

    private static void collect(CommandLine c, List<CommandLine> all) {
        all.add(c);
        c.getSubcommands().values().stream().filter(s -> s.getParent() == c).forEach(s -> collect(s, all));
    }
}
