package dev.slipway.core.internal.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Build output reaches the deployment log without terminal escape sequences, and otherwise as it was printed. */
class DeploymentLogTest {
    @Test
    void mavensColouredLinesArePlainInTheLog() {
        List<String> lines = new ArrayList<>();
        new DeploymentLog(lines::add).build().line("[\u001B[1;34mINFO\u001B[m] \u001B[1;32mBUILD SUCCESS\u001B[m");
        new DeploymentLog(lines::add).build().line("\u001B]0;npm install\u0007added 3 packages \u001B[2K\u001B[1G");
        assertThat(lines).containsExactly("[Build] [INFO] BUILD SUCCESS", "[Build] added 3 packages ");
    }

    @Property
    void escapeSequencesAreRemovedAndNothingElse(@ForAll("printable") String a, @ForAll("escapes") String esc, @ForAll("printable") String b) {
        assertThat(DeploymentLog.plain(a + esc + b)).isEqualTo(a + b);
        assertThat(DeploymentLog.plain(a + b)).isEqualTo(a + b);
    }

    @Provide
    Arbitrary<String> printable() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars('é', '\t', '世').ofMaxLength(30);
    }

    @Provide
    Arbitrary<String> escapes() {
        Arbitrary<String> csi = Arbitraries.strings().withCharRange('0', '?').ofMaxLength(6)
                .flatMap(params -> Arbitraries.chars().range('@', '~').map(end -> "\u001B[" + params + end));
        Arbitrary<String> osc = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(12)
                .flatMap(title -> Arbitraries.of("\u0007", "\u001B\\").map(end -> "\u001B]" + title + end));
        Arbitrary<String> twoBytes = Arbitraries.chars().range('@', 'Z').map(c -> "\u001B" + c);
        return Arbitraries.oneOf(csi, osc, twoBytes);
    }
}
