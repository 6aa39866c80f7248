package dev.slipway.core;

import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.OperationSummary;
import dev.slipway.core.model.OperationType;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** An asynchronous operation on a service (create, deploy, update, pause, resume, delete) that can be awaited. */
public final class Operation {
    private final String id;
    private final OperationType type;
    private final String targetArn;
    private final Instant startedAt;
    private final CompletableFuture<OperationSummary> done = new CompletableFuture<>();
    private volatile OperationStatus status = OperationStatus.PENDING;
    private volatile Instant updatedAt;
    private volatile Instant endedAt;
    private volatile String failureReason;

    Operation(OperationType type, String targetArn) {
        this.id = UUID.randomUUID().toString();
        this.type = type;
        this.targetArn = targetArn;
        this.startedAt = Instant.now();
        this.updatedAt = startedAt;
    }

    /** An operation read back from the state store; one that had not ended is ended as FAILED, interrupted. */
    static Operation restored(OperationSummary s, String failureReason) {
        Operation op = new Operation(s.id(), s.type(), s.targetArn(), s.startedAt());
        if (s.isDone()) {
            op.status = s.status();
            op.endedAt = s.endedAt();
            op.updatedAt = s.updatedAt();
            op.failureReason = failureReason;
            op.done.complete(op.summary());
        } else {
            op.end(OperationStatus.FAILED, "interrupted: Slipway stopped before the operation ended");
        }
        return op;
    }

    private Operation(String id, OperationType type, String targetArn, Instant startedAt) {
        this.id = id;
        this.type = type;
        this.targetArn = targetArn;
        this.startedAt = startedAt;
        this.updatedAt = startedAt;
    }

    public String id() {
        return id;
    }

    public OperationType type() {
        return type;
    }

    /** The operation as ListOperations shows it now. */
    public OperationSummary summary() {
        return new OperationSummary(id, type, status, targetArn, startedAt, endedAt, updatedAt);
    }

    /** Why the operation failed, once it has. */
    public Optional<String> failureReason() {
        return Optional.ofNullable(failureReason);
    }

    /** Waits for the operation to end, successfully or not, and returns its final summary. */
    public OperationSummary await(Duration timeout) throws TimeoutException, InterruptedException {
        try {
            return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Waits for the operation to end and throws {@link OperationFailedException} (with the reason) unless it succeeded. */
    public OperationSummary awaitSuccess(Duration timeout) throws TimeoutException, InterruptedException {
        OperationSummary s = await(timeout);
        if (s.status() != OperationStatus.SUCCEEDED) {
            throw new OperationFailedException(type + " operation " + id + " ended " + s.status()
                    + failureReason().map(r -> ": " + r).orElse(""));
        }
        return s;
    }

    /** A future that completes with the final summary. */
    public CompletableFuture<OperationSummary> future() {
        return done.copy();
    }

    void markInProgress() {
        status = OperationStatus.IN_PROGRESS;
        updatedAt = Instant.now();
    }

    void end(OperationStatus finalStatus, String reason) {
        failureReason = reason;
        endedAt = Instant.now();
        updatedAt = endedAt;
        status = finalStatus;
        done.complete(summary());
    }

    /** Thrown by {@link #awaitSuccess} when the operation failed. */
    public static final class OperationFailedException extends RuntimeException {
        public OperationFailedException(String message) {
            super(message);
        }
    }
}
