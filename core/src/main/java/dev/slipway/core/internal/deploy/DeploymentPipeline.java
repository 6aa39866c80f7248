package dev.slipway.core.internal.deploy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * An operation as an explicit list of steps, run in order. Each step's start is a progress event, from which the
 * deployment log's {@code [n/N]} numbering is derived, so the numbers always match the steps. If a step fails, the
 * deployment is rolled back (the previous desired state comes back) before the failure is passed on.
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

    private final List<DeploymentStep> steps;

    public DeploymentPipeline(List<DeploymentStep> steps) {
        this.steps = List.copyOf(steps);
    }

    public List<DeploymentStep> steps() {
        return steps;
    }

    /** This pipeline with the traffic moved in steps ({@link DeploymentSteps#SHIFT_TRAFFIC}) before it is all switched. */
    public DeploymentPipeline progressive() {
        List<DeploymentStep> next = new java.util.ArrayList<>(steps);
        int switching = next.indexOf(DeploymentSteps.SWITCH_TRAFFIC);
        if (switching >= 0 && !next.contains(DeploymentSteps.SHIFT_TRAFFIC)) {
            next.add(switching, DeploymentSteps.SHIFT_TRAFFIC);
        }
        return new DeploymentPipeline(next);
    }

    /**
     * Runs every step in order, each started once the one before is done (no thread waits for the reconciler); on
     * failure rolls the deployment back. The future fails with the step's reason. Blocking work runs on {@code work}.
     */
    public CompletableFuture<Void> run(Deployment d, Executor work) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < steps.size(); i++) {
            DeploymentStep step = steps.get(i);
            int n = i + 1;
            chain = chain.thenComposeAsync(done -> {
                String title = step.title(d);
                d.log().progress(n, steps.size(), title);
                CompletableFuture<Void> f = step.start(d, work);
                // a Work step bounds itself (StepThread)
                return step instanceof DeploymentStep.Work ? f : DeploymentStep.bounded(f, step.bound(d), StepThread.timedOut(title, d));
            }, work);
        }
        return chain.handleAsync((done, e) -> {
            try {
                if (e != null) {
                    d.rollBack();
                }
            } finally {
                d.cleanUp();
            }
            if (e != null) {
                throw e instanceof CompletionException c ? c : new CompletionException(e);
            }
            return null;
        }, work);
    }
}
