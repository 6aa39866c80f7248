package dev.slipway.core.internal.runtime;

import java.util.List;
import java.util.Optional;

/**
 * What a service's reconciler observed at the end of its last pass, as conditions (Knative's model), published whole
 * after every pass. {@code change} counts the changes of desired state it was given (deployments, rollbacks, pauses,
 * deletions; a scale is not a change, only a new count); the conditions are about the last one:
 * <ul>
 *   <li>{@code revisionReady}: {@code count} instances of the desired revision pass their health checks (false once a
 *       new instance of a rollout exited or stayed unhealthy: the rollout failed, the serving instances stay);</li>
 *   <li>{@code trafficSwitched}: the router sends the service's requests to them (or answers as the mode says), or, in a
 *       progressive deployment's step, their share of the requests;</li>
 *   <li>{@code oldRevisionDrained}: every other instance finished its requests and stopped.</li>
 * </ul>
 * An operation's progress and end are read from these; nothing waits inside the reconciler.
 */
public record ReconcilerStatus(long change, DesiredState desired, int healthy, Condition revisionReady,
                               Condition trafficSwitched, Condition oldRevisionDrained) {
    /** A condition's state, and why it is false. */
    public record Condition(State state, Optional<String> reason) {
        public enum State { TRUE, FALSE, UNKNOWN }

        public static final Condition TRUE = new Condition(State.TRUE, Optional.empty());
        public static final Condition UNKNOWN = new Condition(State.UNKNOWN, Optional.empty());

        public static Condition failed(String reason) {
            return new Condition(State.FALSE, Optional.of(reason));
        }

        static Condition when(boolean holds) {
            return holds ? TRUE : UNKNOWN;
        }

        public boolean isTrue() {
            return state == State.TRUE;
        }
    }

    /** The milestones a change goes through, in order. */
    public enum Milestone { REVISION_READY, TRAFFIC_SWITCHED, OLD_REVISION_DRAINED }

    public Condition condition(Milestone m) {
        return switch (m) {
            case REVISION_READY -> revisionReady;
            case TRAFFIC_SWITCHED -> trafficSwitched;
            case OLD_REVISION_DRAINED -> oldRevisionDrained;
        };
    }

    /**
     * The conditions of {@code desired}, from the instances as they are: ready once {@code count} instances of its
     * generation are healthy and serve, drained once no other instance is left, all false once its rollout failed.
     */
    static ReconcilerStatus observe(long change, DesiredState desired, List<ObservedInstance> instances, long servingGeneration,
                                    String rolloutFailure, boolean splitting) {
        int healthy = (int) instances.stream().filter(i -> i.generation == desired.generation() && i.state == ObservedInstance.State.HEALTHY).count();
        if (desired.mode() != DesiredState.Mode.SERVING) {
            return new ReconcilerStatus(change, desired, 0, Condition.TRUE, Condition.TRUE, Condition.when(instances.isEmpty()));
        }
        if (rolloutFailure != null) {
            Condition failed = Condition.failed(rolloutFailure);
            return new ReconcilerStatus(change, desired, healthy, failed, failed, failed);
        }
        boolean switched = servingGeneration == desired.generation() || splitting;
        boolean ready = switched && healthy >= desired.count();
        boolean drained = servingGeneration == desired.generation() && instances.stream()
                .noneMatch(i -> i.generation != desired.generation() || i.state == ObservedInstance.State.STOPPING);
        return new ReconcilerStatus(change, desired, healthy, Condition.when(ready), Condition.when(switched), Condition.when(drained));
    }

    /** Every condition holds: the service is what it should be. */
    public boolean ready() {
        return revisionReady.isTrue() && trafficSwitched.isTrue() && oldRevisionDrained.isTrue();
    }
}
