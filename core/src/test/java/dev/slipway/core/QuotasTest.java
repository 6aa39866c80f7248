package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Each quota of the guide's table can be set by its name; a wrong name or value says what is allowed. */
class QuotasTest {
    @Test
    void eachQuotaIsSetByItsNameAndOnlyIt() {
        assertThat(Quotas.DEFAULT.with("services", 10_000)).isEqualTo(new Quotas(10_000, 10, 10, 10));
        assertThat(Quotas.DEFAULT.with("connections", 3)).isEqualTo(new Quotas(10, 3, 10, 10));
        assertThat(Quotas.DEFAULT.with("auto-scaling-configuration-names", 20)).isEqualTo(new Quotas(10, 10, 20, 10));
        assertThat(Quotas.DEFAULT.with("auto-scaling-configuration-revisions", 1)).isEqualTo(new Quotas(10, 10, 10, 1));
    }

    @Test
    void anUnknownNameOrAValueBelowOneIsRefusedWithWhatIsAllowed() {
        assertThatThrownBy(() -> Quotas.DEFAULT.with("service", 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No quota named 'service'").hasMessageContaining("services, connections");
        assertThatThrownBy(() -> Quotas.DEFAULT.with("services", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }
}
