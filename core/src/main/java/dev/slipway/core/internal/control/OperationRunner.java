package dev.slipway.core.internal.control;

import dev.slipway.core.SlipwayException;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.internal.deploy.DeploymentLog;
import dev.slipway.core.internal.lifecycle.ServiceLifecycle;
import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.OperationType;
import dev.slipway.core.model.ServiceStatus;
import dev.slipway.core.observe.LogSink;
import dev.slipway.core.observe.LogStreams;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs operations: starts each on a thread of its own (where its blocking steps run; waiting for the reconciler holds
 * no thread), writes their start and end to the service's events
 * and deployment log, turns a failure into the operation's reason, and hands the status the operation leads to
 * ({@link ServiceLifecycle#statusAfter}) to the caller before the operation is seen to end.
 */
final class OperationRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperationRunner.class);

    /** The work of an operation. */
    interface Body {
        CompletionStage<Void> run(DeploymentLog log) throws Exception;
    }

    /** Records the end of an operation (new status, saved state) before awaiting callers see it. */
    interface Ending {
        void end(ServiceStatus after, Optional<String> failure);
    }

    private final LogStreams logs;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "slipway-operation");
        t.setDaemon(true);
        return t;
    });
    /** The operation threads; once they are stopped (close), what is left runs where it is (an operation's end). */
    private final Executor work = r -> {
        try {
            threads.execute(r);
        } catch (RejectedExecutionException closed) {
            r.run();
        }
    };

    OperationRunner(LogStreams logs) {
        this.logs = logs;
    }

    void run(String serviceName, OperationRecord op, Body body, Ending ending) {
        DeploymentLog log = new DeploymentLog(logs.sink(serviceName, "deployment/" + op.id()));
        op.logFrom(() -> logs.read(serviceName, "deployment/" + op.id()));
        LogSink events = logs.sink(serviceName, "events");
        threads.execute(() -> {
            Thread.currentThread().setName("slipway-operation-" + serviceName);
            events.line(op.type() + " operation " + op.id() + " started");
            log.line(op.type() + " " + op.id() + " started for service " + serviceName);
            LOG.info("service {}: {} operation {} started", serviceName, op.type(), op.id());
            CompletableFuture<Void> done;
            try {
                done = body.run(log).toCompletableFuture();
            } catch (Exception e) {
                done = CompletableFuture.failedFuture(e);
            }
            done.whenCompleteAsync((ok, e) -> end(serviceName, op, log, events, e == null ? null : unwrap(e), ending), work);
        });
    }

    /** Where blocking work of operations runs. */
    Executor work() {
        return work;
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private void end(String serviceName, OperationRecord op, DeploymentLog log, LogSink events, Throwable e, Ending ending) {
        String failure = null;
        if (e != null) {
            failure = e instanceof BuildFailedException || e instanceof SlipwayException
                    ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!(e instanceof BuildFailedException)) {
                LOG.error("service {}: {} operation {} failed", serviceName, op.type(), op.id(), e);
            }
        }
        ServiceStatus after = ServiceLifecycle.statusAfter(op.type(), failure == null);
        if (failure == null) {
            log.line(op.type() + " completed successfully. Service status is " + after);
        } else {
            log.line(op.type() + " failed: " + failure);
            if (after == ServiceStatus.RUNNING && op.type() != OperationType.CREATE_SERVICE) {
                log.line("The previous revision keeps serving.");
            }
        }
        events.line(op.type() + " operation " + op.id() + (failure == null ? " succeeded" : " failed")
                + "; service status is " + after);
        LOG.info("service {}: {} operation {} {}", serviceName, op.type(), op.id(), failure == null ? "succeeded" : "failed: " + failure);
        try {
            ending.end(after, Optional.ofNullable(failure));
        } finally {
            op.abandon(failure == null ? OperationStatus.SUCCEEDED : OperationStatus.FAILED, failure); // if no saved record ended it
        }
    }

    /** Runs work of a service that is not an operation (starting it again after a restart) on the same threads. */
    void background(String serviceName, Runnable work) {
        threads.execute(() -> {
            Thread.currentThread().setName("slipway-operation-" + serviceName);
            work.run();
        });
    }

    @Override
    public void close() {
        threads.shutdownNow();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
