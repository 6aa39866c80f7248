package dev.slipway.core.internal.control;

import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.OperationSummary;
import dev.slipway.core.model.OperationType;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** An operation as the registry keeps it: immutable, replaced in its service's record as it moves on. */
record OperationState(OperationSummary summary, Optional<String> failureReason) {
    static OperationState pending(OperationType type, String targetArn) {
        Instant now = Instant.now();
        return new OperationState(new OperationSummary(UUID.randomUUID().toString(), type, OperationStatus.PENDING,
                targetArn, now, null, now), Optional.empty());
    }

    String id() {
        return summary.id();
    }

    OperationState inProgress() {
        OperationSummary s = summary;
        return new OperationState(new OperationSummary(s.id(), s.type(), OperationStatus.IN_PROGRESS, s.targetArn(),
                s.startedAt(), null, Instant.now()), failureReason);
    }

    /** The operation ended (a done one stays as it ended). */
    OperationState ended(OperationStatus status, String reason) {
        if (summary.isDone()) {
            return this;
        }
        OperationSummary s = summary;
        Instant now = Instant.now();
        return new OperationState(new OperationSummary(s.id(), s.type(), status, s.targetArn(), s.startedAt(), now, now),
                Optional.ofNullable(reason));
    }
}
