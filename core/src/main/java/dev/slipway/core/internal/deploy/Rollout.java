package dev.slipway.core.internal.deploy;

import dev.slipway.core.internal.runtime.DesiredState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a deployment moves traffic to its new revision: at once (App Runner's blue/green), or in steps ({@code steps},
 * percentages ending at 100, with {@code pause} between them) during which the router sends the new revision its share
 * and stops as soon as its 5xx answers pass {@code max5xxPercent}, which rolls the deployment back; and the tag that
 * names the new revision's own host ({@code <tag>--<service's domain>}), if any.
 */
public record Rollout(List<Integer> steps, Duration pause, int max5xxPercent, Optional<String> tag) {
    /** All traffic at once, untagged. */
    public static final Rollout ALL_AT_ONCE = new Rollout(List.of(100), Duration.ZERO, 100, Optional.empty());

    public Rollout {
        steps = List.copyOf(steps);
        if (steps.isEmpty() || steps.get(steps.size() - 1) != 100) {
            throw new IllegalArgumentException("a rollout's steps end at 100 %: " + steps);
        }
    }

    /** Whether traffic moves in more than one step. */
    public boolean progressive() {
        return steps.size() > 1;
    }

    /** The new revision's share at step {@code i}. */
    public DesiredState.Traffic traffic(int i) {
        return new DesiredState.Traffic(steps.get(i), max5xxPercent);
    }
}
