package dev.slipway.core;

import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.OperationSummary;
import dev.slipway.core.model.OperationType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/** An asynchronous operation on a service (create, deploy, update, pause, resume, delete) that can be awaited. */
public interface Operation {
    String id();

    OperationType type();

    /** The operation as ListOperations shows it now. */
    OperationSummary summary();

    /** Why the operation failed, once it has. */
    Optional<String> failureReason();

    /** Waits for the operation to end, successfully or not, and returns its final summary. */
    OperationSummary await(Duration timeout) throws TimeoutException, InterruptedException;

    /** A future that completes with the final summary. */
    CompletableFuture<OperationSummary> future();

    /** The lines of this operation's deployment log (stream {@code deployment/<id>}) so far. */
    default List<String> log() {
        return List.of();
    }

    /**
     * Waits for the operation to end and throws {@link OperationFailedException} unless it succeeded, with the reason
     * and the last lines of its deployment log (where a failed build or health check says what went wrong).
     */
    default OperationSummary awaitSuccess(Duration timeout) throws TimeoutException, InterruptedException {
        OperationSummary s = await(timeout);
        if (s.status() != OperationStatus.SUCCEEDED) {
            List<String> log = log();
            String tail = log.isEmpty() ? "" : "\nThe last lines of its deployment log (deployment/" + id() + "):\n  "
                    + String.join("\n  ", log.subList(Math.max(0, log.size() - 15), log.size()));
            throw new OperationFailedException(type() + " operation " + id() + " ended " + s.status()
                    + failureReason().map(r -> ": " + r).orElse("") + tail);
        }
        return s;
    }

    /** Thrown by {@link #awaitSuccess} when the operation failed. */
    final class OperationFailedException extends RuntimeException {
        public OperationFailedException(String message) {
            super(message);
        }
    }
}
