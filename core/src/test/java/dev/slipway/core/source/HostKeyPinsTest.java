package dev.slipway.core.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** SSH host keys are trusted on first use and pinned; a different key for the same host is refused. */
class HostKeyPinsTest {
    @Test
    void firstKeyIsPinnedAndADifferentOneIsRefused() {
        HostKeyPins pins = new HostKeyPins(Map.of());
        assertThat(pins.accept("git.example.com", "SHA256:first")).isTrue();
        assertThat(pins.accept("git.example.com", "SHA256:first")).isTrue();
        assertThat(pins.accept("git.example.com", "SHA256:second")).isFalse();
        assertThat(pins.accept("other.example.com", "SHA256:second")).isTrue();
        assertThat(pins.snapshot()).containsExactlyInAnyOrderEntriesOf(
                Map.of("git.example.com", "SHA256:first", "other.example.com", "SHA256:second"));
    }

    @Test
    void pinsFromTheStateStoreAreEnforced() {
        HostKeyPins restored = new HostKeyPins(Map.of("git.example.com", "SHA256:known"));
        assertThat(restored.accept("git.example.com", "SHA256:attacker")).isFalse();
        assertThat(restored.pinned("git.example.com")).contains("SHA256:known");
    }
}
