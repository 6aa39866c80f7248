package dev.slipway.core.internal.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.InvalidStateException;
import dev.slipway.core.model.OperationType;
import dev.slipway.core.model.ServiceStatus;
import java.util.EnumSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.assertj.core.api.Assertions;

/**
 * Any sequence of actions, each operation ending in success or failure, keeps the guide's invariants: one operation
 * at a time, a paused service neither deploys nor updates, a failed creation can only be deleted, DELETED is final.
 */
class ServiceLifecyclePropertiesTest {
    /** An action tried, and (if accepted) whether its operation succeeds. */
    record Step(ServiceAction action, boolean succeeds, boolean completesBeforeNext) {
    }

    @Property(tries = 500)
    void anySequenceOfActionsKeepsTheInvariants(@ForAll("createOutcome") boolean created, @ForAll("steps") List<Step> steps) {
        ServiceStatus status = ServiceLifecycle.statusAfter(OperationType.CREATE_SERVICE, created);
        OperationType inProgress = null;
        for (Step step : steps) {
            ServiceStatus before = status;
            boolean allowed = ServiceLifecycle.refusal(status, step.action()).isEmpty();

            if (step.action().isMutating()) {
                if (before == ServiceStatus.OPERATION_IN_PROGRESS || before == ServiceStatus.DELETED) {
                    assertThat(allowed).as(step.action() + " while " + before).isFalse();
                }
                if (before == ServiceStatus.PAUSED && (step.action() == ServiceAction.START_DEPLOYMENT
                        || step.action() == ServiceAction.UPDATE || step.action() == ServiceAction.PAUSE)) {
                    assertThat(allowed).as(step.action() + " while PAUSED").isFalse();
                }
                if (before == ServiceStatus.CREATE_FAILED) {
                    assertThat(allowed).isEqualTo(step.action() == ServiceAction.DELETE);
                }
                if (step.action() == ServiceAction.RESUME) {
                    assertThat(allowed).isEqualTo(before == ServiceStatus.PAUSED);
                }
            } else {
                assertThat(allowed).as("reads and tags are always allowed").isTrue();
            }
            if (!allowed) {
                ServiceStatus s = before;
                Assertions.assertThatThrownBy(() -> ServiceLifecycle.check("svc", s, step.action()))
                        .isInstanceOf(InvalidStateException.class).hasMessageContaining(s.name());
                continue;
            }
            if (step.action().isMutating()) {
                inProgress = ServiceLifecycle.operationOf(step.action());
                status = ServiceStatus.OPERATION_IN_PROGRESS;
            }
            if (inProgress != null && step.completesBeforeNext()) {
                status = ServiceLifecycle.statusAfter(inProgress, step.succeeds());
                inProgress = null;
            }
            assertThat(status == ServiceStatus.OPERATION_IN_PROGRESS).isEqualTo(inProgress != null);
            if (status == ServiceStatus.PAUSED) {
                assertThat(EnumSet.of(ServiceStatus.RUNNING, ServiceStatus.PAUSED, ServiceStatus.OPERATION_IN_PROGRESS)).contains(before);
            }
        }
    }

    @Provide
    Arbitrary<Boolean> createOutcome() {
        return Arbitraries.of(true, true, true, false);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.of(ServiceAction.class), Arbitraries.of(true, true, false),
                Arbitraries.of(true, true, false)).as(Step::new).list().ofMaxSize(30);
    }
}
