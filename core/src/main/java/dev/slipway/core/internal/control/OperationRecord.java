package dev.slipway.core.internal.control;

import dev.slipway.core.Operation;
import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.OperationSummary;
import dev.slipway.core.model.OperationType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The {@link Operation} a caller holds: it shows the operation as last published (saved) in its service's record,
 * and completes once a saved record shows it ended.
 */
public final class OperationRecord implements Operation {
    private final CompletableFuture<OperationSummary> done = new CompletableFuture<>();
    private volatile OperationState state;
    private volatile Supplier<List<String>> log = List::of;

    OperationRecord(OperationState initial) {
        this.state = initial;
    }

    /** Sees the operation as a saved record now shows it; ended, it completes. */
    void published(OperationState next) {
        state = next;
        if (next.summary().isDone()) {
            done.complete(next.summary());
        }
    }

    /** Ends the operation for its callers when no saved record will (Slipway is stopping). */
    void abandon(OperationStatus status, String reason) {
        published(state.ended(status, reason));
    }

    @Override
    public String id() {
        return state.id();
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
        return state.summary().type();
    }

    @Override
    public OperationSummary summary() {
        return state.summary();
    }

    @Override
    public Optional<String> failureReason() {
        return state.failureReason();
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
}
