package dev.slipway.core.internal.deploy;

import dev.slipway.core.build.BuildFailedException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a working step on a thread of its own and waits at most {@code timeouts.step}: a step stuck in something that
 * does not answer to interrupts (a blocking read) still ends the operation. On timeout its thread is interrupted (which
 * cancels a build) and awaited a little longer, so that it ends before the rollback reads what it wrote; one that still
 * does not end is logged, and a revision it makes later is discarded ({@link Deployment#built}).
 */
final class StepThread {
    private static final Logger LOG = LoggerFactory.getLogger(StepThread.class);
    /** How long a step that timed out may take to end once interrupted (at most its own timeout). */
    private static final Duration GRACE = Duration.ofSeconds(10);

    private StepThread() {
    }

    /** Why an operation ended at a step that took longer than the step timeout. */
    static String timedOut(String title, Deployment d) {
        return "'" + title + "' did not finish within " + d.timeouts.step().toSeconds() + " s (the step timeout), so the operation ends here";
    }

    static void run(DeploymentStep.Work step, Deployment d) throws BuildFailedException {
        FutureTask<Void> task = new FutureTask<>(() -> {
            step.run(d);
            return null;
        });
        Thread thread = new Thread(task, "slipway-step-" + d.target.serviceName());
        thread.setDaemon(true);
        thread.start();
        try {
            task.get(d.timeouts.step().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            try {
                thread.join(Math.min(GRACE.toMillis(), d.timeouts.step().toMillis()));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("'{}' did not end when interrupted; what it makes later is discarded", step.title(d));
            }
            throw new BuildFailedException(timedOut(step.title(d), d));
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new BuildFailedException("the operation was stopped");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BuildFailedException b) {
                throw b;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new BuildFailedException(String.valueOf(e.getCause()), e.getCause());
        }
    }
}
