package dev.slipway.server;

import dev.slipway.core.observe.JsonLinesFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/** Prints the records of a {@link JsonLinesFile} that a filter keeps, one per line, and with {@code follow} the new ones as they come. */
final class JsonLinesPrinter {
    private JsonLinesPrinter() {
    }

    static void print(Path dir, String name, boolean follow, Predicate<String> keep, PrintWriter out) throws InterruptedException {
        int printed = 0;
        while (true) {
            List<String> lines = JsonLinesFile.lines(dir, name);
            if (lines.size() < printed) {
                printed = 0; // rotated away meanwhile: what came before is in the rotated files, printed already
            }
            for (String line : lines.subList(printed, lines.size())) {
                if (keep.test(line)) {
                    out.println(line);
                }
            }
            out.flush();
            printed = lines.size();
            if (!follow) {
                return;
            }
            Thread.sleep(500); // following a file: polled, as tail -f does
        }
    }
}
