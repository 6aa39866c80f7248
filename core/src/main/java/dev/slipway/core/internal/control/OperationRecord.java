package dev.slipway.core.internal.control;

import dev.slipway.core.Operation;
import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.OperationSummary;
import dev.slipway.core.model.OperationType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** An {@link Operation} as the control plane keeps it: thread-safe, its status moved on by the operation runner. */
public final class OperationRecord implements Operation {
    private final String id;
    private final OperationType type;
    private final String targetArn;
    private final Instant startedAt;
    private final CompletableFuture<OperationSummary> done = new CompletableFuture<>();
    private volatile OperationStatus status = OperationStatus.PENDING;
    private volatile Instant updatedAt;
    private volatile Instant endedAt;
    private volatile String failureReason;
    private volatile Supplier<List<String>> log = List::of;

    OperationRecord(OperationType type, String targetArn) {
        this(UUID.randomUUID().toString(), type, targetArn, Instant.now());
    }

    private OperationRecord(String id, OperationType type, String targetArn, Instant startedAt) {
        this.id = id;
        this.type = type;
        this.targetArn = targetArn;
        this.startedAt = startedAt;
        this.updatedAt = startedAt;
    }

    /** An operation read back from the state store; one that had not ended is ended as FAILED, interrupted. */
    static OperationRecord restored(OperationSummary s, String failureReason) {
        OperationRecord op = new OperationRecord(s.id(), s.type(), s.targetArn(), s.startedAt());
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

    @Override
    public String id() {
        return id;
    }

    /** Where {@link #log()} reads the operation's deployment log from. */
    void logFrom(Supplier<List<String>> source) {
        this.log = source;
    }

    @Override
    public List<String> log() {
        return log.get();
    }

    @Override
    public OperationType type() {
        return type;
    }

    @Override
    public OperationSummary summary() {
        return new OperationSummary(id, type, status, targetArn, startedAt, endedAt, updatedAt);
    }

    @Override
    public Optional<String> failureReason() {
        return Optional.ofNullable(failureReason);
    }

    @Override
    public OperationSummary await(Duration timeout) throws TimeoutException, InterruptedException {
        try {
            return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public CompletableFuture<OperationSummary> future() {
        return done.copy();
    }

    void markInProgress() {
        status = OperationStatus.IN_PROGRESS;
        updatedAt = Instant.now();
    }

    /** Records the end (once), for the state to save; callers awaiting the operation see it at {@link #end}. */
    void record(OperationStatus finalStatus, String reason) {
        if (endedAt == null) {
            failureReason = reason;
            endedAt = Instant.now();
            updatedAt = endedAt;
            status = finalStatus;
        }
    }

    /** Records the end if not done yet, and lets callers awaiting the operation see it. */
    void end(OperationStatus finalStatus, String reason) {
        record(finalStatus, reason);
        done.complete(summary());
    }

    /** What a failed save of the state undoes: the fields that move. */
    record Progress(OperationStatus status, Instant updatedAt, Instant endedAt, String failureReason) {
    }

    Progress progress() {
        return new Progress(status, updatedAt, endedAt, failureReason);
    }

    void reset(Progress p) {
        status = p.status();
        updatedAt = p.updatedAt();
        endedAt = p.endedAt();
        failureReason = p.failureReason();
    }
}
