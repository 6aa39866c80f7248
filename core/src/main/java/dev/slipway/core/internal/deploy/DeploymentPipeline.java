package dev.slipway.core.internal.deploy;

import dev.slipway.core.build.BuildFailedException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An operation as an explicit list of steps, run in order. Each step's start is a progress event, from which the
 * deployment log's {@code [n/N]} numbering is derived, so the numbers always match the steps. If a step fails, the
 * deployment is rolled back (the previous desired state comes back) before the failure is rethrown.
 */
public final class DeploymentPipeline {
    /** Fetch, read the configuration, build, then blue/green. */
    public static final DeploymentPipeline FROM_SOURCE = new DeploymentPipeline(List.of(DeploymentSteps.FETCH_SOURCE,
            DeploymentSteps.RESOLVE_BUILD_PLAN, DeploymentSteps.BUILD, DeploymentSteps.START_INSTANCES,
            DeploymentSteps.SWITCH_TRAFFIC, DeploymentSteps.DRAIN_OLD));
    /** Pull the image, then blue/green. */
    public static final DeploymentPipeline FROM_IMAGE = new DeploymentPipeline(List.of(DeploymentSteps.PULL_IMAGE,
            DeploymentSteps.START_INSTANCES, DeploymentSteps.SWITCH_TRAFFIC, DeploymentSteps.DRAIN_OLD));
    /** New instances of a revision built before (an update that needs no build, a resume, a restart). */
    public static final DeploymentPipeline REDEPLOY = new DeploymentPipeline(List.of(DeploymentSteps.START_INSTANCES,
            DeploymentSteps.SWITCH_TRAFFIC, DeploymentSteps.DRAIN_OLD));
    public static final DeploymentPipeline PAUSE = new DeploymentPipeline(List.of(DeploymentSteps.PAUSE));
    public static final DeploymentPipeline DELETE = new DeploymentPipeline(List.of(DeploymentSteps.DELETE));

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeploymentPipeline.class);
    /** How long a step that timed out may take to end once interrupted (at most its own timeout). */
    private static final java.time.Duration STEP_GRACE = java.time.Duration.ofSeconds(10);

    private final List<DeploymentStep> steps;

    public DeploymentPipeline(List<DeploymentStep> steps) {
        this.steps = List.copyOf(steps);
    }

    public List<DeploymentStep> steps() {
        return steps;
    }

    /** Runs every step; on failure rolls the deployment back and rethrows. */
    public void run(Deployment d) throws BuildFailedException {
        try {
            for (int i = 0; i < steps.size(); i++) {
                DeploymentStep step = steps.get(i);
                d.log().progress(i + 1, steps.size(), step.title(d));
                runWithTimeout(step, d);
            }
        } catch (BuildFailedException | RuntimeException e) {
            d.rollBack();
            throw e;
        } finally {
            d.cleanUp();
        }
    }

    /**
     * Runs a step on a thread of its own and waits at most {@code timeouts.step}: a step stuck in something that does
     * not answer to interrupts (a blocking read) still ends the operation. On timeout its thread is interrupted (which
     * cancels a build) and awaited a little longer, so that it ends before the rollback reads what it wrote; one that
     * still does not end is logged, and a revision it makes later is discarded ({@link Deployment#built}).
     */
    private static void runWithTimeout(DeploymentStep step, Deployment d) throws BuildFailedException {
        FutureTask<Void> task = new FutureTask<>(() -> {
            step.run(d);
            return null;
        });
        Thread thread = new Thread(task, Thread.currentThread().getName() + "-step");
        thread.setDaemon(true);
        thread.start();
        try {
            task.get(d.timeouts.step().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            try {
                thread.join(Math.min(STEP_GRACE.toMillis(), d.timeouts.step().toMillis()));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("'{}' did not end when interrupted; what it makes later is discarded", step.title(d));
            }
            throw new BuildFailedException("'" + step.title(d) + "' did not finish within " + d.timeouts.step().toSeconds()
                    + " s (the step timeout), so the operation ends here");
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
