package dev.slipway.core.internal.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The autoscaler's decisions over simulated time (a fake clock, one sample and one decision every 2 s, instances ready
 * at the next tick): step, ramp, spike and decay loads give the expected counts; bounds always hold; a steady load at
 * a boundary does not flap. MaxConcurrency 10 at target utilisation 0.7: 7 concurrent requests per instance.
 */
class ConcurrencyAutoscalerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final int TICK = 2;

    /** The instance count after each tick of {@code seconds}, the load at second t given by {@code load}. */
    private static List<Integer> simulate(ConcurrencyAutoscaler.Settings settings, IntToDoubleFunction load, int seconds) {
        ConcurrencyAutoscaler autoscaler = new ConcurrencyAutoscaler(settings);
        List<Integer> counts = new ArrayList<>();
        int ready = settings.minSize();
        for (int t = 0; t <= seconds; t += TICK) {
            Instant now = T0.plusSeconds(t);
            autoscaler.record(now, load.applyAsDouble(t));
            ready = autoscaler.desired(now, ready);
            counts.add(ready);
        }
        return counts;
    }

    private static int at(List<Integer> counts, int second) {
        return counts.get(second / TICK);
    }

    private static final ConcurrencyAutoscaler.Settings DEFAULTS = ConcurrencyAutoscaler.Settings.of(1, 20, 10);

    @Test
    void aStepUpIsMetWithinThePanicWindowAndNotOvershot() {
        List<Integer> counts = simulate(DEFAULTS, t -> t < 60 ? 7 : 35, 180);
        assertThat(at(counts, 58)).isEqualTo(1);
        assertThat(at(counts, 66)).as("35 concurrent requests need 5 instances; the 6 s panic window gets there").isEqualTo(5);
        assertThat(counts).allMatch(c -> c <= 5);
        assertThat(at(counts, 180)).isEqualTo(5);
    }

    @Test
    void aRampIsFollowedUpwardsWithoutEverGoingDown() {
        List<Integer> counts = simulate(DEFAULTS, t -> Math.min(70, t / 2.0), 200);
        for (int i = 1; i < counts.size(); i++) {
            assertThat(counts.get(i)).as("tick %d", i).isGreaterThanOrEqualTo(counts.get(i - 1));
        }
        assertThat(counts.get(counts.size() - 1)).isEqualTo(10);
    }

    @Test
    void aSpikeScalesOutAtOnceHoldsWhilePanickingThenComesDownSlowly() {
        List<Integer> counts = simulate(DEFAULTS, t -> t >= 60 && t < 66 ? 70 : 7, 400);
        assertThat(at(counts, 58)).isEqualTo(1);
        int peak = counts.stream().mapToInt(Integer::intValue).max().orElseThrow();
        // a 6 s spike of 70 averages to about 54 over the 6 s panic window: 8 instances, reached while it lasts
        assertThat(peak).isEqualTo(8);
        assertThat(counts.subList(30, 34)).as("up within the spike").contains(peak);
        assertThat(at(counts, 100)).as("never down while panicking").isEqualTo(peak);
        for (int i = 1; i < counts.size(); i++) {
            assertThat(counts.get(i)).as("down at most by half per decision, tick %d", i)
                    .isGreaterThanOrEqualTo((int) Math.ceil(counts.get(i - 1) / 2.0));
        }
        assertThat(at(counts, 400)).isEqualTo(1);
    }

    @Test
    void aDecayWaitsForTheScaleDownDelayThenHalvesAtMostEachStep() {
        List<Integer> counts = simulate(DEFAULTS, t -> t < 120 ? 70 : 0, 400);
        assertThat(at(counts, 118)).isEqualTo(10);
        assertThat(at(counts, 146)).as("the 30 s scale-down delay").isEqualTo(10);
        assertThat(at(counts, 400)).as("down to MinSize, which always runs").isEqualTo(1);
        for (int i = 1; i < counts.size(); i++) {
            assertThat(counts.get(i)).isGreaterThanOrEqualTo((int) Math.ceil(counts.get(i - 1) / 2.0));
        }
    }

    @Test
    void aSteadyLoadAtABoundaryDoesNotFlap() {
        // 14 concurrent requests is exactly 2 instances' worth; the load wobbles around it
        List<Integer> counts = simulate(DEFAULTS, t -> (t / TICK) % 2 == 0 ? 13.9 : 14.1, 600);
        List<Integer> settled = counts.subList(60 / TICK, counts.size());
        long changes = 0;
        for (int i = 1; i < settled.size(); i++) {
            changes += settled.get(i).equals(settled.get(i - 1)) ? 0 : 1;
        }
        assertThat(changes).isLessThanOrEqualTo(1);
        assertThat(settled).allMatch(c -> c == 2 || c == 3);
    }

    @Test
    void minSizeAlwaysRunsEvenWithNoTraffic() {
        List<Integer> counts = simulate(ConcurrencyAutoscaler.Settings.of(3, 25, 100), t -> 0, 300);
        assertThat(counts).containsOnly(3);
    }

    @Property(tries = 200)
    void theCountStaysWithinMinSizeAndMaxSize(@ForAll @Size(min = 1, max = 200) List<@DoubleRange(min = 0, max = 1000) Double> loads,
                                              @ForAll @IntRange(min = 1, max = 5) int min, @ForAll @IntRange(min = 0, max = 20) int extra,
                                              @ForAll @IntRange(min = 1, max = 200) int maxConcurrency) {
        ConcurrencyAutoscaler.Settings settings = ConcurrencyAutoscaler.Settings.of(min, min + extra, maxConcurrency);
        List<Integer> counts = simulate(settings, t -> loads.get((t / TICK) % loads.size()), (loads.size() - 1) * TICK);
        assertThat(counts).allMatch(c -> c >= min && c <= min + extra);
    }

    @Test
    void settingsOutsideTheirRangesAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConcurrencyAutoscaler.Settings.of(5, 2, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min 5, max 2");
        assertThat(ConcurrencyAutoscaler.Settings.of(1, 1, 1).stableWindow()).isEqualTo(Duration.ofSeconds(60));
    }
}
