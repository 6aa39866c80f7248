package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two Slipways never share a state directory: the second is refused, naming the process that has it. */
class StateDirectoryInUseTest {
    @TempDir
    Path tmp;

    @Test
    void aSecondSlipwayOnTheSameStateDirectoryIsRefusedUntilTheFirstStops() {
        Path state = tmp.resolve("state");
        try (Slipway first = Slipway.builder().backend("fake").routerPort(-1).stateDir(state).durableState(true).build()) {
            assertThatThrownBy(() -> Slipway.builder().backend("fake").routerPort(-1).stateDir(state).durableState(true).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is in use by another Slipway (pid " + ProcessHandle.current().pid() + ", since ")
                    .hasMessageContaining("another --state-dir");
        }
        Slipway.builder().backend("fake").routerPort(-1).stateDir(state).durableState(true).build().close();
    }
}
