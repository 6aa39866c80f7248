package dev.slipway.core.internal.control;

import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.OperationSummary;
import dev.slipway.core.model.OperationType;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** An operation as the registry keeps it: immutable, replaced in its service's record as it moves on. */
record OperationState(OperationSummary summary, Optional<String> failureReason) {
    /**
     * A new operation, IN_PROGRESS at once: its thread starts as the action returns (one write per operation start,
     * not two, and no start that a full disk could hold up).
     */
    static OperationState started(OperationType type, String targetArn) {
        Instant now = Instant.now();
        return new OperationState(new OperationSummary(UUID.randomUUID().toString(), type, OperationStatus.IN_PROGRESS,
                targetArn, now, null, now), Optional.empty());
    }

    String id() {
        return summary.id();
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
