package dev.slipway.core.internal.runtime;

import dev.slipway.core.build.BuildFailedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The milestones of one change of desired state, in order: the desired instances are healthy; traffic goes to them;
 * every other instance has drained and stopped. A rollout that fails (a new instance exits or stays unhealthy)
 * fails {@link #healthy}; a change superseded by another fails them all.
 */
public final class Convergence {
    final CompletableFuture<Void> healthy = new CompletableFuture<>();
    final CompletableFuture<Void> switched = new CompletableFuture<>();
    final CompletableFuture<Void> drained = new CompletableFuture<>();

    public void awaitHealthy(Duration timeout) throws BuildFailedException {
        await(healthy, timeout, "the new instances to become healthy");
    }

    public void awaitSwitched(Duration timeout) throws BuildFailedException {
        await(switched, timeout, "traffic to switch");
    }

    public void awaitDrained(Duration timeout) throws BuildFailedException {
        await(drained, timeout, "the previous instances to drain and stop");
    }

    /** Completes once the whole change is done (healthy, switched, drained), or fails with why it could not be. */
    public CompletableFuture<Void> done() {
        return drained.copy();
    }

    void complete() {
        healthy.complete(null);
        switched.complete(null);
        drained.complete(null);
    }

    void fail(BuildFailedException e) {
        healthy.completeExceptionally(e);
        switched.completeExceptionally(e);
        drained.completeExceptionally(e);
    }

    boolean isDone() {
        return drained.isDone();
    }

    private static void await(CompletableFuture<Void> f, Duration timeout, String what) throws BuildFailedException {
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BuildFailedException b) {
                throw new BuildFailedException(b.getMessage(), b);
            }
            throw new BuildFailedException(String.valueOf(e.getCause().getMessage()), e.getCause());
        } catch (TimeoutException e) {
            throw new BuildFailedException("gave up after " + timeout.toSeconds() + "s waiting for " + what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailedException("interrupted while waiting for " + what);
        }
    }
}
