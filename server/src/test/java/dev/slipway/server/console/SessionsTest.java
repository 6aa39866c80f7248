package dev.slipway.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Console sessions end after an hour idle, after twelve hours whatever the use, or at sign-out; a flash shows once. */
class SessionsTest {
    private Instant now = Instant.parse("2026-12-05T10:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void aSessionEndsWhenIdleTooLongUsedTooLongOrSignedOut() {
        Sessions sessions = new Sessions(clock);
        Sessions.Session s = sessions.start("AKIAEXAMPLE000000001");
        assertThat(s.id()).isNotEqualTo(s.csrf()).hasSizeGreaterThanOrEqualTo(43); // 256 random bits each
        assertThat(sessions.get(s.id())).hasValueSatisfying(x -> assertThat(x.accessKeyId()).isEqualTo("AKIAEXAMPLE000000001"));
        assertThat(sessions.get("guessed")).isEmpty();
        assertThat(sessions.get(null)).isEmpty();

        for (int i = 0; i < 12; i++) { // used every 59 minutes: alive until the twelfth hour (11 h 48)
            now = now.plus(Duration.ofMinutes(59));
            assertThat(sessions.get(s.id())).as("after %d h", i + 1).isPresent();
        }
        now = now.plus(Duration.ofMinutes(59));
        assertThat(sessions.get(s.id())).as("past twelve hours").isEmpty();

        Sessions.Session idle = sessions.start("AKIAEXAMPLE000000001");
        now = now.plus(Sessions.IDLE).plusSeconds(1);
        assertThat(sessions.get(idle.id())).as("an hour without a request").isEmpty();

        Sessions.Session out = sessions.start("AKIAEXAMPLE000000001");
        sessions.end(out.id());
        assertThat(sessions.get(out.id())).isEmpty();
    }

    @Test
    void aFlashMessageShowsOnTheNextPageOnly() {
        Sessions sessions = new Sessions(clock);
        Sessions.Session s = sessions.start("AKIAEXAMPLE000000001");
        sessions.flash(s.id(), "Pausing web.");
        assertThat(sessions.get(s.id()).orElseThrow().flash()).isEqualTo("Pausing web.");
        assertThat(sessions.get(s.id()).orElseThrow().flash()).isNull();
    }
}
