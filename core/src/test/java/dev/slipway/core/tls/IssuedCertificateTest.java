package dev.slipway.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A certificate is due for renewal once less than a third of its lifetime is left, and not a second before. */
class IssuedCertificateTest {
    @Test
    void dueWithAThirdOfItsLifetimeLeft() {
        Instant issued = Instant.parse("2026-12-01T00:00:00Z");
        IssuedCertificate c = new IssuedCertificate(List.of("shop.example.com"), "chain", "key", issued, issued.plus(Duration.ofDays(90)));
        assertThat(c.dueForRenewal(issued.plus(Duration.ofDays(59)))).isFalse();
        assertThat(c.dueForRenewal(issued.plus(Duration.ofDays(60)))).as("exactly 30 days left").isFalse();
        assertThat(c.dueForRenewal(issued.plus(Duration.ofDays(60)).plusSeconds(1))).isTrue();
        assertThat(c.dueForRenewal(issued.plus(Duration.ofDays(100)))).as("expired").isTrue();
    }
}
