package dev.slipway.core.model;

import java.time.Instant;

/** An asynchronous operation on a service, as ListOperations shows it. */
public record OperationSummary(String id, OperationType type, OperationStatus status, String targetArn,
                               Instant startedAt, Instant endedAt, Instant updatedAt) {
    /** Whether the operation has ended, successfully or not. */
    public boolean isDone() {
        return status == OperationStatus.SUCCEEDED || status == OperationStatus.FAILED
                || status == OperationStatus.ROLLBACK_SUCCEEDED || status == OperationStatus.ROLLBACK_FAILED;
    }
}
