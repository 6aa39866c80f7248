package dev.slipway.core.internal.deploy;

import dev.slipway.core.build.BuildFailedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One named step of a {@link DeploymentPipeline}: fetch source, build, start instances, switch traffic, ... A step
 * either does work ({@link Work}: fetching, building) or hands the reconciler a change and reads, from the conditions
 * it publishes, when the change reached a milestone: no thread waits for the reconciler.
 */
public interface DeploymentStep {
    /** What the step does, for its {@code [AppRunner] [n/N]} line; it may use what earlier steps found. */
    String title(Deployment d);

    /** Starts the step; the future completes once it is done. Blocking work runs on {@code work}. */
    CompletableFuture<Void> start(Deployment d, Executor work);

    /** How long the step may take (the step timeout, unless it waits by design). */
    default Duration bound(Deployment d) {
        return d.timeouts.step();
    }

    /** A step that works (fetching, building): run on a thread of its own, for at most the step timeout. */
    abstract class Work implements DeploymentStep {
        public abstract void run(Deployment d) throws BuildFailedException;

        @Override
        public CompletableFuture<Void> start(Deployment d, Executor work) {
            return CompletableFuture.runAsync(() -> {
                try {
                    StepThread.run(this, d);
                } catch (BuildFailedException e) {
                    throw new CompletionException(e);
                }
            }, work);
        }
    }

    /** {@code milestone}, failed with a clear reason if it is not reached within {@code bound}. */
    static CompletableFuture<Void> within(CompletableFuture<Void> milestone, Duration bound, String what) {
        return bounded(milestone, bound, "gave up after " + bound.toSeconds() + "s waiting for " + what);
    }

    /** {@code f}, failed with {@code reason} if it is not done within {@code bound}. */
    static CompletableFuture<Void> bounded(CompletableFuture<Void> f, Duration bound, String reason) {
        return f.orTimeout(bound.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return CompletableFuture.failedFuture(cause instanceof TimeoutException ? new BuildFailedException(reason) : cause);
        });
    }
}
